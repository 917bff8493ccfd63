import express from "express";
import pg from "pg";

const app = express();
const port = Number(process.env.PORT) || 3000;

// Connects lazily, on the first query, to the database named by DATABASE_URL.
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  connectionTimeoutMillis: 2000,
});
// An idle connection breaks when the database stops; without this handler the
// pool's "error" event would end the process.
pool.on("error", (err) => {
  console.error(`database connection lost: ${err.message}`);
});

// Creates the table on first use, and tries again on the next request if that failed.
let schemaReady = null;
function ensureSchema() {
  schemaReady ??= pool
    .query("CREATE TABLE IF NOT EXISTS notes (id SERIAL PRIMARY KEY, text TEXT NOT NULL)")
    .catch((err) => {
      schemaReady = null;
      throw err;
    });
  return schemaReady;
}

app.use(express.json());

// POST /notes with {"text": "..."}: 201 with the new note {id, text}.
app.post("/notes", async (req, res) => {
  const text = req.body?.text;
  if (typeof text !== "string" || text === "") {
    return res.status(400).json({ error: "text must be a non-empty string" });
  }
  await ensureSchema();
  const { rows } = await pool.query("INSERT INTO notes (text) VALUES ($1) RETURNING id, text", [text]);
  res.status(201).json(rows[0]);
});

// GET /notes: 200 with every note, oldest first.
app.get("/notes", async (req, res) => {
  await ensureSchema();
  const { rows } = await pool.query("SELECT id, text FROM notes ORDER BY id");
  res.json(rows);
});

// GET /health: 200 with {"status": "ok", "database": "ok"} when `SELECT 1` succeeds,
// 503 with {"status": "error", "database": "unreachable"} when it fails.
app.get("/health", async (req, res) => {
  try {
    await pool.query("SELECT 1");
    res.json({ status: "ok", database: "ok" });
  } catch (err) {
    res.status(503).json({ status: "error", database: "unreachable" });
  }
});

// Express 5 passes errors of async handlers here, for example when the database is down.
app.use((err, req, res, next) => {
  console.error(err);
  res.status(500).json({ error: "internal server error" });
});

const server = app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});

// `docker stop` sends SIGTERM: close the server and the pool, then exit.
process.on("SIGTERM", () => {
  server.close(() => pool.end().finally(() => process.exit(0)));
});
