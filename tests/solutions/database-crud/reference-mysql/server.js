import express from "express";
import mysql from "mysql2/promise";

const app = express();
const port = Number(process.env.PORT) || 3000;
const pool = mysql.createPool(process.env.DATABASE_URL);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_INT = 2147483647;

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

// MySQL compares '12abc' = 12 as true, so only digits may reach the query.
function parseId(text) {
  if (!/^[1-9][0-9]{0,9}$/.test(text)) return null;
  const id = Number(text);
  return id <= MAX_INT ? id : null;
}

async function findUser(id) {
  const [rows] = await pool.query("SELECT id, name, email FROM users WHERE id = ?", [id]);
  return rows[0] ?? null;
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
    const [result] = await pool.query("INSERT INTO users (name, email) VALUES (?, ?)", [body.name, body.email]);
    res.status(201).json({ id: result.insertId, name: body.name, email: body.email });
  } catch (err) {
    if (err.code === "ER_DUP_ENTRY") return emailTaken(res, body.email);
    throw err;
  }
});

app.get("/users", async (req, res) => {
  const [rows] = await pool.query("SELECT id, name, email FROM users ORDER BY id");
  res.json(rows);
});

app.get("/users/:id", async (req, res) => {
  const id = parseId(req.params.id);
  const user = id === null ? null : await findUser(id);
  if (!user) return notFound(res, req.params.id);
  res.json(user);
});

app.patch("/users/:id", async (req, res) => {
  const id = parseId(req.params.id);
  const user = id === null ? null : await findUser(id);
  if (!user) return notFound(res, req.params.id);
  const body = req.body ?? {};
  const problem = invalidField(body, { partial: true });
  if (problem) return res.status(400).json({ error: problem });

  const changed = {
    id: user.id,
    name: "name" in body ? body.name : user.name,
    email: "email" in body ? body.email : user.email,
  };
  try {
    await pool.query("UPDATE users SET name = ?, email = ? WHERE id = ?", [changed.name, changed.email, id]);
  } catch (err) {
    if (err.code === "ER_DUP_ENTRY") return emailTaken(res, body.email);
    throw err;
  }
  res.json(changed);
});

app.delete("/users/:id", async (req, res) => {
  const id = parseId(req.params.id);
  if (id === null) return notFound(res, req.params.id);
  const [result] = await pool.query("DELETE FROM users WHERE id = ?", [id]);
  if (result.affectedRows === 0) return notFound(res, req.params.id);
  res.status(204).end();
});

await pool.query(`
  CREATE TABLE IF NOT EXISTS users (
    id INT AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    email VARCHAR(255) NOT NULL UNIQUE
  )
`);

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
