import express from "express";
import multer from "multer";
import { randomUUID } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

const app = express();
const port = Number(process.env.PORT) || 3000;
const uploadDir = process.env.UPLOAD_DIR;
const maxUploadBytes = Number(process.env.MAX_UPLOAD_BYTES);

if (!uploadDir || !Number.isInteger(maxUploadBytes) || maxUploadBytes <= 0) {
  console.error("UPLOAD_DIR and MAX_UPLOAD_BYTES (a whole number of bytes) must be set");
  process.exit(1);
}

// Each upload is two files in uploadDir: <id> with the bytes and <id>.json with the metadata,
// so that uploads survive a restart.
const ID_PATTERN = /^[0-9a-f-]{36}$/;
const upload = multer({
  storage: multer.diskStorage({
    destination: uploadDir,
    filename: (req, file, callback) => callback(null, randomUUID()),
  }),
  limits: { fileSize: maxUploadBytes, files: 1 },
});

async function readMetadata(id) {
  return JSON.parse(await readFile(path.join(uploadDir, `${id}.json`), "utf8"));
}

app.post("/uploads", upload.single("file"), async (req, res) => {
  if (!req.file) {
    return res.status(400).json({ error: 'send one file in the multipart field "file"' });
  }
  const metadata = {
    id: req.file.filename,
    name: req.file.originalname,
    size: req.file.size,
    type: req.file.mimetype,
  };
  await writeFile(path.join(uploadDir, `${metadata.id}.json`), JSON.stringify(metadata));
  res.status(201).json(metadata);
});

app.get("/uploads", async (req, res) => {
  const names = await readdir(uploadDir);
  const ids = names.filter((name) => name.endsWith(".json")).map((name) => name.slice(0, -".json".length));
  res.json(await Promise.all(ids.map(readMetadata)));
});

app.get("/uploads/:id", async (req, res) => {
  const { id } = req.params;
  let metadata;
  try {
    metadata = ID_PATTERN.test(id) ? await readMetadata(id) : null;
  } catch {
    metadata = null;
  }
  if (!metadata) {
    return res.status(404).json({ error: `upload ${id} not found` });
  }
  res.type(metadata.type);
  res.sendFile(id, { root: uploadDir });
});

// Multer reports a file over the limit and other malformed uploads as a MulterError.
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
