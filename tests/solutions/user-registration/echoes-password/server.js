import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

app.use(express.json());

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const users = [];
let lastId = 0;

app.post("/users", (req, res) => {
  const { name, email, password } = req.body ?? {};
  const fields = [];
  if (typeof name !== "string" || name.trim() === "") fields.push("name");
  if (typeof email !== "string" || !EMAIL_PATTERN.test(email)) fields.push("email");
  if (typeof password !== "string" || password.length < 8) fields.push("password");
  if (fields.length > 0) {
    return res.status(400).json({ error: "validation failed", fields });
  }

  if (users.find((user) => user.email === email.toLowerCase())) {
    return res.status(409).json({ error: "email already registered" });
  }

  const user = { id: ++lastId, name, email: email.toLowerCase(), password };
  users.push(user);
  res.status(201).json(user);
});

app.get("/users", (req, res) => {
  res.json(users);
});

app.get("/users/:id", (req, res) => {
  const user = users.find((user) => user.id === Number(req.params.id));
  if (!user) return res.status(404).json({ error: "user not found" });
  res.json(user);
});

app.listen(port, () => console.log(`listening on ${port}`));
