import express from "express";

const app = express();
const port = process.env.PORT || 3000;

app.use(express.json());

let todos = [];
let currentId = 0;

app.post("/todos", (req, res) => {
  currentId++;
  const todo = { id: currentId, title: req.body.title, completed: false };
  todos.push(todo);
  res.status(201).json(todo);
});

app.get("/todos", (req, res) => {
  res.json(todos);
});

app.get("/todos/:id", (req, res) => {
  const todo = todos.find((todo) => todo.id == req.params.id);
  if (!todo) return res.status(404).json({ error: "Not found" });
  res.json(todo);
});

app.patch("/todos/:id", (req, res) => {
  const todo = todos.find((todo) => todo.id == req.params.id);
  if (!todo) return res.status(404).json({ error: "Not found" });
  if (req.body.title !== undefined) todo.title = req.body.title;
  if (req.body.completed !== undefined) todo.completed = req.body.completed;
  res.json(todo);
});

app.delete("/todos/:id", (req, res) => {
  const todo = todos.find((todo) => todo.id == req.params.id);
  if (!todo) return res.status(404).json({ error: "Not found" });
  todos = todos.filter((t) => t !== todo);
  res.status(204).send();
});

app.listen(port, () => {
  console.log(`Listening on port ${port}`);
});
