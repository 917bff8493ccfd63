import express from "express";
import multer from "multer";
import { randomUUID } from "node:crypto";

const app = express();
const port = Number(process.env.PORT) || 3000;
const maxUploadBytes = Number(process.env.MAX_UPLOAD_BYTES);

if (!Number.isInteger(maxUploadBytes) || maxUploadBytes <= 0) {
  console.error("MAX_UPLOAD_BYTES (a whole number of bytes) must be set");
  process.exit(1);
}

// Every upload is kept in this Map, with its bytes in a Buffer, and nothing is written to
// UPLOAD_DIR, so a restart loses all uploads.
const uploads = new Map();
const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: maxUploadBytes, files: 1 },
});

app.post("/uploads", upload.single("file"), (req, res) => {
  if (!req.file) {
    return res.status(400).json({ error: 'send one file in the multipart field "file"' });
  }
  const metadata = { id: randomUUID(), name: req.file.originalname, size: req.file.size, type: req.file.mimetype };
  uploads.set(metadata.id, { metadata, content: req.file.buffer });
  res.status(201).json(metadata);
});

app.get("/uploads", (req, res) => {
  res.json([...uploads.values()].map((stored) => stored.metadata));
});

app.get("/uploads/:id", (req, res) => {
  const stored = uploads.get(req.params.id);
  if (!stored) {
    return res.status(404).json({ error: `upload ${req.params.id} not found` });
  }
  res.type(stored.metadata.type).send(stored.content);
});

app.use((err, req, res, next) => {
  if (err instanceof multer.MulterError) {
    const status = err.code === "LIMIT_FILE_SIZE" ? 413 : 400;
    return res.status(status).json({ error: err.message });
  }
  console.error(err);
  res.status(500).json({ error: "internal server error" });
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
