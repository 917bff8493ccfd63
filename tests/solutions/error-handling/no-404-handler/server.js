import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

app.use(express.json());

const notes = [];
let lastId = 0;

// An error that carries the status, code and fields of the body it becomes.
class HttpError extends Error {
  constructor(status, code, message, fields) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

function sendError(res, status, code, message, fields) {
  const error = { status, code, message };
  if (fields) error.fields = fields;
  res.status(status).json({ error });
}

function isNonEmptyString(value) {
  return typeof value === "string" && value !== "";
}

app.post("/notes", (req, res) => {
  const body = req.body ?? {};
  const fields = ["title", "content"].filter((field) => !isNonEmptyString(body[field]));
  if (fields.length > 0) {
    throw new HttpError(400, "validation_failed", `invalid fields: ${fields.join(", ")}`, fields);
  }
  lastId += 1;
  const note = { id: lastId, title: body.title, content: body.content };
  notes.push(note);
  res.status(201).json(note);
});

app.get("/notes/:id", (req, res) => {
  const note = notes.find((item) => String(item.id) === req.params.id);
  if (!note) {
    throw new HttpError(404, "not_found", `note ${req.params.id} not found`);
  }
  res.json(note);
});

app.get("/crash", (req, res) => {
  throw new Error(`crash requested: ${req.query.reason}`);
});

app.get("/crash/async", async (req, res) => {
  await new Promise((resolve) => setTimeout(resolve, 10));
  throw new Error(`async crash requested: ${req.query.reason}`);
});

// Four parameters make this the error middleware: Express sends it every thrown error,
// every rejected promise of an async route and the errors of express.json().
app.use((err, req, res, next) => {
  if (err instanceof HttpError) {
    return sendError(res, err.status, err.code, err.message, err.fields);
  }
  if (err.type === "entity.parse.failed") {
    return sendError(res, 400, "invalid_json", "the request body is not valid JSON");
  }
  console.error(`${req.method} ${req.originalUrl} failed:`, err);
  sendError(res, 500, "internal_error", "internal server error");
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
