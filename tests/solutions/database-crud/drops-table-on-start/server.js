import express from "express";
import pg from "pg";

const app = express();
const port = Number(process.env.PORT) || 3000;
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_SERIAL = 2147483647;
const UNIQUE_VIOLATION = "23505";

app.use(express.json());

function isNonEmptyString(value) {
  return typeof value === "string" && value !== "";
}

function isEmail(value) {
  return typeof value === "string" && EMAIL.test(value);
}

// Returns the first problem with the fields present in body, or null when they are valid.
function invalidField(body, { partial }) {
  if ((!partial || "name" in body) && !isNonEmptyString(body.name)) {
    return "name must be a non-empty string";
  }
  if ((!partial || "email" in body) && !isEmail(body.email)) {
    return "email must be a valid email address";
  }
  return null;
}

// A SERIAL id is a positive 32-bit integer: anything else cannot match a row.
function parseId(text) {
  if (!/^[1-9][0-9]{0,9}$/.test(text)) return null;
  const id = Number(text);
  return id <= MAX_SERIAL ? id : null;
}

function notFound(res, id) {
  res.status(404).json({ error: `user ${id} not found` });
}

function emailTaken(res, email) {
  res.status(409).json({ error: `email ${email} is already taken` });
}

app.post("/users", async (req, res) => {
  const body = req.body ?? {};
  const problem = invalidField(body, { partial: false });
  if (problem) return res.status(400).json({ error: problem });
  try {
    const { rows } = await pool.query(
      "INSERT INTO users (name, email) VALUES ($1, $2) RETURNING id, name, email",
      [body.name, body.email],
    );
    res.status(201).json(rows[0]);
  } catch (err) {
    if (err.code === UNIQUE_VIOLATION) return emailTaken(res, body.email);
    throw err;
  }
});

app.get("/users", async (req, res) => {
  const { rows } = await pool.query("SELECT id, name, email FROM users ORDER BY id");
  res.json(rows);
});

app.get("/users/:id", async (req, res) => {
  const id = parseId(req.params.id);
  if (id === null) return notFound(res, req.params.id);
  const { rows } = await pool.query("SELECT id, name, email FROM users WHERE id = $1", [id]);
  if (rows.length === 0) return notFound(res, req.params.id);
  res.json(rows[0]);
});

app.patch("/users/:id", async (req, res) => {
  const id = parseId(req.params.id);
  if (id === null) return notFound(res, req.params.id);
  const body = req.body ?? {};
  const problem = invalidField(body, { partial: true });
  if (problem) return res.status(400).json({ error: problem });
  try {
    const { rows } = await pool.query(
      `UPDATE users SET name = COALESCE($2, name), email = COALESCE($3, email)
       WHERE id = $1 RETURNING id, name, email`,
      [id, body.name ?? null, body.email ?? null],
    );
    if (rows.length === 0) return notFound(res, req.params.id);
    res.json(rows[0]);
  } catch (err) {
    if (err.code === UNIQUE_VIOLATION) return emailTaken(res, body.email);
    throw err;
  }
});

app.delete("/users/:id", async (req, res) => {
  const id = parseId(req.params.id);
  if (id === null) return notFound(res, req.params.id);
  const { rowCount } = await pool.query("DELETE FROM users WHERE id = $1", [id]);
  if (rowCount === 0) return notFound(res, req.params.id);
  res.status(204).end();
});

// Start from a clean table.
await pool.query("DROP TABLE IF EXISTS users");
await pool.query(`
  CREATE TABLE users (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE
  )
`);

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
