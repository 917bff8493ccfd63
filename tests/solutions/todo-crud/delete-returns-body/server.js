import express from "express";

const app = express();
const PORT = process.env.PORT || 3000;

app.use(express.json());

let todos = [];
let nextId = 1;

const notFound = (res, id) => res.status(404).json({ error: `Todo with id ${id} not found` });

app.post("/todos", (req, res) => {
  const { title } = req.body;
  if (typeof title !== "string" || title.length === 0) {
    return res.status(400).json({ error: "Title is required" });
  }
  const todo = { id: nextId++, title, completed: false };
  todos.push(todo);
  res.status(201).json(todo);
});

app.get("/todos", (req, res) => {
  res.status(200).json(todos);
});

app.get("/todos/:id", (req, res) => {
  const id = Number(req.params.id);
  const todo = todos.find((t) => t.id === id);
  if (!todo) return notFound(res, req.params.id);
  res.status(200).json(todo);
});

app.patch("/todos/:id", (req, res) => {
  const id = Number(req.params.id);
  const todo = todos.find((t) => t.id === id);
  if (!todo) return notFound(res, req.params.id);

  const { title, completed } = req.body;
  if (title !== undefined && (typeof title !== "string" || title.length === 0)) {
    return res.status(400).json({ error: "Title must be a non-empty string" });
  }
  if (completed !== undefined && typeof completed !== "boolean") {
    return res.status(400).json({ error: "Completed must be a boolean" });
  }
  if (title !== undefined) todo.title = title;
  if (completed !== undefined) todo.completed = completed;
  res.status(200).json(todo);
});

app.delete("/todos/:id", (req, res) => {
  const id = Number(req.params.id);
  const index = todos.findIndex((t) => t.id === id);
  if (index === -1) return notFound(res, req.params.id);
  const [deleted] = todos.splice(index, 1);
  res.status(200).json({ message: "Todo deleted successfully", todo: deleted });
});

app.listen(PORT, () => {
  console.log(`Server is running on port ${PORT}`);
});
