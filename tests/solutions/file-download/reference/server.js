import express from "express";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

const app = express();
const port = Number(process.env.PORT) || 3000;
const filesDir = process.env.FILES_DIR;

if (!filesDir) {
  console.error("FILES_DIR is not set; set it to the folder of files to serve");
  process.exit(1);
}

// A plain name is one file directly inside filesDir: no separator, and not "." or "..".
function isPlainName(name) {
  return !name.includes("/") && !name.includes("\\") && name !== "." && name !== "..";
}

app.get("/files", async (req, res) => {
  const entries = await readdir(filesDir, { withFileTypes: true });
  const files = [];
  for (const entry of entries.filter((item) => item.isFile())) {
    const { size } = await stat(path.join(filesDir, entry.name));
    files.push({ name: entry.name, size });
  }
  res.json(files);
});

app.get("/files/:name", (req, res) => {
  const { name } = req.params;
  if (!isPlainName(name)) {
    return res.status(400).json({ error: "the file name must not contain / or be .." });
  }
  // root makes send refuse any path that leaves filesDir, as a second line of defence.
  res.download(name, { root: filesDir, dotfiles: "allow" }, (err) => {
    if (err && !res.headersSent) {
      res.status(404).json({ error: `file ${name} not found` });
    }
  });
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
