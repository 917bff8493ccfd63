import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

app.use(express.json());

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MIN_PASSWORD_LENGTH = 8;

const users = [];
let lastId = 0;

// Returns a copy of the user without its password, as every response shows it.
function toPublic({ password, ...user }) {
  return user;
}

// Returns the names of the missing or malformed fields, in the order name, email, password.
function invalidFields(body) {
  const invalid = [];
  if (typeof body.name !== "string" || body.name.trim() === "") invalid.push("name");
  if (typeof body.email !== "string" || !EMAIL_PATTERN.test(body.email)) invalid.push("email");
  if (typeof body.password !== "string" || body.password.length < MIN_PASSWORD_LENGTH) invalid.push("password");
  return invalid;
}

app.post("/users", (req, res) => {
  const body = req.body ?? {};
  const fields = invalidFields(body);
  if (fields.length > 0) {
    return res.status(400).json({ error: `invalid fields: ${fields.join(", ")}`, fields });
  }

  const email = body.email;
  if (users.some((user) => user.email === email)) {
    return res.status(409).json({ error: `the email ${email} is already registered` });
  }

  lastId += 1;
  const user = { id: lastId, name: body.name, email, password: body.password };
  users.push(user);
  res.status(201).json(toPublic(user));
});

app.get("/users", (req, res) => {
  res.json(users.map(toPublic));
});

app.get("/users/:id", (req, res) => {
  const user = users.find((item) => String(item.id) === req.params.id);
  if (!user) {
    return res.status(404).json({ error: `user ${req.params.id} not found` });
  }
  res.json(toPublic(user));
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
