import express from "express";
import { MongoClient, ObjectId } from "mongodb";

const app = express();
const port = Number(process.env.PORT) || 3000;
const client = new MongoClient(process.env.DATABASE_URL);
const users = client.db().collection("users");

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DUPLICATE_KEY = 11000;

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

// ObjectId.isValid also accepts any 12-character string, so require the 24 hex digits.
function parseId(text) {
  return /^[0-9a-f]{24}$/i.test(text) ? new ObjectId(text) : null;
}

function toUser(document) {
  return { id: document._id.toHexString(), name: document.name, email: document.email };
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
  const document = { name: body.name, email: body.email };
  try {
    await users.insertOne(document);
  } catch (err) {
    if (err.code === DUPLICATE_KEY) return emailTaken(res, body.email);
    throw err;
  }
  res.status(201).json(toUser(document));
});

app.get("/users", async (req, res) => {
  const documents = await users.find().sort({ _id: 1 }).toArray();
  res.json(documents.map(toUser));
});

app.get("/users/:id", async (req, res) => {
  const id = parseId(req.params.id);
  const document = id && (await users.findOne({ _id: id }));
  if (!document) return notFound(res, req.params.id);
  res.json(toUser(document));
});

app.patch("/users/:id", async (req, res) => {
  const id = parseId(req.params.id);
  if (!id) return notFound(res, req.params.id);
  const body = req.body ?? {};
  const problem = invalidField(body, { partial: true });
  if (problem) return res.status(400).json({ error: problem });

  const changes = {};
  if ("name" in body) changes.name = body.name;
  if ("email" in body) changes.email = body.email;
  if (Object.keys(changes).length === 0) {
    const document = await users.findOne({ _id: id });
    return document ? res.json(toUser(document)) : notFound(res, req.params.id);
  }
  let document;
  try {
    document = await users.findOneAndUpdate({ _id: id }, { $set: changes }, { returnDocument: "after" });
  } catch (err) {
    if (err.code === DUPLICATE_KEY) return emailTaken(res, body.email);
    throw err;
  }
  if (!document) return notFound(res, req.params.id);
  res.json(toUser(document));
});

app.delete("/users/:id", async (req, res) => {
  const id = parseId(req.params.id);
  const result = id && (await users.deleteOne({ _id: id }));
  if (!result || result.deletedCount === 0) return notFound(res, req.params.id);
  res.status(204).end();
});

await client.connect();
await users.createIndex({ email: 1 }, { unique: true });

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
