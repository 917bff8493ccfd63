import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

app.use(express.json());

const todos = [];
let lastId = 0;

function isNonEmptyString(value) {
  return typeof value === "string" && value !== "";
}

function findTodo(req, res) {
  const todo = todos.find((item) => String(item.id) === req.params.id);
  if (!todo) {
    res.status(404).json({ error: `todo ${req.params.id} not found` });
  }
  return todo;
}

app.post("/todos", (req, res) => {
  const { title } = req.body ?? {};
  if (!isNonEmptyString(title)) {
    return res.status(400).json({ error: "title must be a non-empty string" });
  }
  lastId += 1;
  const todo = { id: lastId, title, completed: false };
  todos.push(todo);
  res.status(201).json(todo);
});

app.get("/todos", (req, res) => {
  res.json(todos);
});

app.get("/todos/:id", (req, res) => {
  const todo = findTodo(req, res);
  if (todo) res.json(todo);
});

app.patch("/todos/:id", (req, res) => {
  const todo = findTodo(req, res);
  if (!todo) return;

  const changes = req.body ?? {};
  if ("title" in changes && !isNonEmptyString(changes.title)) {
    return res.status(400).json({ error: "title must be a non-empty string" });
  }
  if ("completed" in changes && typeof changes.completed !== "boolean") {
    return res.status(400).json({ error: "completed must be true or false" });
  }

  if ("title" in changes) todo.title = changes.title;
  if ("completed" in changes) todo.completed = changes.completed;
  res.json(todo);
});

app.delete("/todos/:id", (req, res) => {
  const todo = findTodo(req, res);
  if (!todo) return;
  todos.splice(todos.indexOf(todo), 1);
  res.status(204).end();
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
