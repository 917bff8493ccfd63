import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

app.use(express.json());

const users = [];
let nextId = 1;

function publicUser(user) {
  return { id: user.id, name: user.name, email: user.email };
}

app.post("/users", (req, res) => {
  const { name, email, password } = req.body;
  const missing = [];
  if (!name) missing.push("name");
  if (!email) missing.push("email");
  if (!password) missing.push("password");
  if (missing.length) {
    return res.status(400).json({ error: `missing: ${missing.join(", ")}`, fields: missing });
  }

  const normalized = String(email).toLowerCase();
  if (users.some((user) => user.email === normalized)) {
    return res.status(409).json({ error: "email already registered" });
  }

  const user = { id: nextId++, name, email: normalized, password };
  users.push(user);
  res.status(201).json(publicUser(user));
});

app.get("/users", (req, res) => {
  res.json(users.map(publicUser));
});

app.get("/users/:id", (req, res) => {
  const user = users.find((user) => String(user.id) === req.params.id);
  if (!user) return res.status(404).json({ error: "user not found" });
  res.json(publicUser(user));
});

app.listen(port, () => console.log(`listening on ${port}`));
