import { randomUUID } from "node:crypto";
import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

app.use(express.json());

// A Map keeps insertion order, so listing its values gives creation order.
const todos = new Map();

const badTitle = (title) => typeof title !== "string" || title === "";

app.post("/todos", (req, res) => {
  const title = req.body?.title;
  if (badTitle(title)) {
    return res.status(400).json({ error: "title must be a non-empty string" });
  }
  const todo = { id: randomUUID(), title, completed: false };
  todos.set(todo.id, todo);
  res.status(201).json(todo);
});

app.get("/todos", (req, res) => {
  res.json([...todos.values()]);
});

app.get("/todos/:id", (req, res) => {
  const todo = todos.get(req.params.id);
  if (!todo) return res.status(404).json({ error: `no todo with id ${req.params.id}` });
  res.json(todo);
});

app.put("/todos/:id", (req, res) => {
  const todo = todos.get(req.params.id);
  if (!todo) return res.status(404).json({ error: `no todo with id ${req.params.id}` });

  const { title, completed } = req.body ?? {};
  if (title !== undefined && badTitle(title)) {
    return res.status(400).json({ error: "title must be a non-empty string" });
  }
  if (completed !== undefined && typeof completed !== "boolean") {
    return res.status(400).json({ error: "completed must be a boolean" });
  }
  todos.set(todo.id, {
    ...todo,
    ...(title !== undefined && { title }),
    ...(completed !== undefined && { completed }),
  });
  res.json(todos.get(todo.id));
});

app.delete("/todos/:id", (req, res) => {
  if (!todos.delete(req.params.id)) {
    return res.status(404).json({ error: `no todo with id ${req.params.id}` });
  }
  res.status(204).end();
});

app.listen(port, () => console.log(`todo API on http://localhost:${port}`));
