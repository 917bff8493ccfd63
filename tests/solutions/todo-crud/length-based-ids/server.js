import express from "express";

const app = express();
const port = process.env.PORT || 3000;

app.use(express.json());

const todos = [];

function validTitle(title) {
  return typeof title === "string" && title !== "";
}

app.post("/todos", (req, res) => {
  if (!validTitle(req.body.title)) {
    return res.status(400).json({ error: "title is required" });
  }
  const newTodo = {
    id: todos.length + 1,
    title: req.body.title,
    completed: false,
  };
  todos.push(newTodo);
  res.status(201).json(newTodo);
});

app.get("/todos", (req, res) => {
  res.json(todos);
});

app.get("/todos/:id", (req, res) => {
  const todo = todos.find((t) => t.id === parseInt(req.params.id));
  if (!todo) {
    return res.status(404).json({ error: "Todo not found" });
  }
  res.json(todo);
});

app.patch("/todos/:id", (req, res) => {
  const todo = todos.find((t) => t.id === parseInt(req.params.id));
  if (!todo) {
    return res.status(404).json({ error: "Todo not found" });
  }
  const { title, completed } = req.body;
  if (title !== undefined && !validTitle(title)) {
    return res.status(400).json({ error: "title must be a non-empty string" });
  }
  if (completed !== undefined && typeof completed !== "boolean") {
    return res.status(400).json({ error: "completed must be a boolean" });
  }
  if (title !== undefined) todo.title = title;
  if (completed !== undefined) todo.completed = completed;
  res.json(todo);
});

app.delete("/todos/:id", (req, res) => {
  const index = todos.findIndex((t) => t.id === parseInt(req.params.id));
  if (index === -1) {
    return res.status(404).json({ error: "Todo not found" });
  }
  todos.splice(index, 1);
  res.sendStatus(204);
});

app.listen(port, () => {
  console.log(`Todo API listening on port ${port}`);
});
