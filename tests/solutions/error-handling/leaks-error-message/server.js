import express from "express";

const app = express();
const PORT = process.env.PORT || 3000;

app.use(express.json());

const notes = [];
let nextId = 1;

function errorBody(status, code, message, extra = {}) {
  return { error: { status, code, message, ...extra } };
}

app.post("/notes", (req, res) => {
  const { title, content } = req.body || {};
  const fields = [];
  if (typeof title !== "string" || !title) fields.push("title");
  if (typeof content !== "string" || !content) fields.push("content");
  if (fields.length) {
    return res.status(400).json(errorBody(400, "validation_failed", "missing or invalid fields", { fields }));
  }
  const note = { id: nextId++, title, content };
  notes.push(note);
  res.status(201).json(note);
});

app.get("/notes/:id", (req, res) => {
  const note = notes.find((n) => n.id === Number(req.params.id));
  if (!note) return res.status(404).json(errorBody(404, "not_found", "note not found"));
  res.json(note);
});

app.get("/crash", (req, res) => {
  throw new Error(`crash requested: ${req.query.reason}`);
});

app.get("/crash/async", async (req, res) => {
  await new Promise((resolve) => setTimeout(resolve, 10));
  throw new Error(`async crash requested: ${req.query.reason}`);
});

app.use((req, res) => {
  res.status(404).json(errorBody(404, "not_found", `Cannot ${req.method} ${req.path}`));
});

app.use((err, req, res, next) => {
  console.error(err);
  const status = err.status || 500;
  const code = err.type === "entity.parse.failed" ? "invalid_json" : "internal_error";
  res.status(status).json(errorBody(status, code, err.message));
});

app.listen(PORT, () => console.log(`Listening on ${PORT}`));
