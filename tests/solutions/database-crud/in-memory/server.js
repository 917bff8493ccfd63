import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

app.use(express.json());

// TODO: move the users into the database
const users = [];
let lastId = 0;

function invalidField(body, { partial }) {
  if ((!partial || "name" in body) && !(typeof body.name === "string" && body.name !== "")) {
    return "name must be a non-empty string";
  }
  if ((!partial || "email" in body) && !(typeof body.email === "string" && EMAIL.test(body.email))) {
    return "email must be a valid email address";
  }
  return null;
}

function findUser(req, res) {
  const user = users.find((item) => String(item.id) === req.params.id);
  if (!user) res.status(404).json({ error: `user ${req.params.id} not found` });
  return user;
}

function emailTaken(email, exceptId) {
  return users.some((user) => user.email === email && user.id !== exceptId);
}

app.post("/users", (req, res) => {
  const body = req.body ?? {};
  const problem = invalidField(body, { partial: false });
  if (problem) return res.status(400).json({ error: problem });
  if (emailTaken(body.email)) return res.status(409).json({ error: `email ${body.email} is already taken` });
  lastId += 1;
  const user = { id: lastId, name: body.name, email: body.email };
  users.push(user);
  res.status(201).json(user);
});

app.get("/users", (req, res) => {
  res.json(users);
});

app.get("/users/:id", (req, res) => {
  const user = findUser(req, res);
  if (user) res.json(user);
});

app.patch("/users/:id", (req, res) => {
  const user = findUser(req, res);
  if (!user) return;
  const body = req.body ?? {};
  const problem = invalidField(body, { partial: true });
  if (problem) return res.status(400).json({ error: problem });
  if ("email" in body && emailTaken(body.email, user.id)) {
    return res.status(409).json({ error: `email ${body.email} is already taken` });
  }
  if ("name" in body) user.name = body.name;
  if ("email" in body) user.email = body.email;
  res.json(user);
});

app.delete("/users/:id", (req, res) => {
  const user = findUser(req, res);
  if (!user) return;
  users.splice(users.indexOf(user), 1);
  res.status(204).end();
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
