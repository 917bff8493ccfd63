import express from "express";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";

const app = express();
const port = Number(process.env.PORT) || 3000;
const filesDir = process.env.FILES_DIR;

app.get("/files", async (req, res) => {
  const names = await readdir(filesDir);
  const files = [];
  for (const name of names) {
    const info = await stat(path.join(filesDir, name));
    files.push({ name, size: info.size });
  }
  res.json(files);
});

app.get("/files/:name", async (req, res) => {
  const { name } = req.params;
  if (name.includes("/") || name === "..") {
    return res.status(400).json({ error: "invalid file name" });
  }
  let content;
  try {
    content = await readFile(path.join(filesDir, name), "utf8");
  } catch {
    return res.status(404).json({ error: `file ${name} not found` });
  }
  res.attachment(name);
  res.send(content);
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
