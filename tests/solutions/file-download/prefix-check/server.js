import express from "express";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

const app = express();
const port = Number(process.env.PORT) || 3000;
const filesDir = path.resolve(process.env.FILES_DIR);

app.get("/files", async (req, res) => {
  const names = await readdir(filesDir);
  const files = [];
  for (const name of names) {
    const info = await stat(path.join(filesDir, name));
    files.push({ name, size: info.size });
  }
  res.json(files);
});

app.get("/files/:name", (req, res) => {
  const filePath = path.resolve(filesDir, req.params.name);
  if (!filePath.startsWith(filesDir) || filePath === filesDir) {
    return res.status(400).json({ error: "invalid file name" });
  }
  res.download(filePath, (err) => {
    if (err && !res.headersSent) {
      res.status(404).json({ error: "file not found" });
    }
  });
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
