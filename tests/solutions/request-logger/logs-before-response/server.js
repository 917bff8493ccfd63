import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

app.use((req, res, next) => {
  console.log(`${new Date().toISOString()} ${req.method} ${req.originalUrl} ${res.statusCode}`);
  next();
});

app.use(express.json());

const notes = [];

app.get("/greet/:name", (req, res) => {
  res.type("text/plain").send(`Hello, ${req.params.name}!`);
});

app.post("/notes", (req, res) => {
  const text = req.body?.text;
  if (typeof text !== "string" || text === "") {
    return res.status(400).json({ error: "text must be a non-empty string" });
  }
  const note = { id: notes.length + 1, text };
  notes.push(note);
  res.status(201).json(note);
});

app.get("/crash", () => {
  throw new Error("crash requested");
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
