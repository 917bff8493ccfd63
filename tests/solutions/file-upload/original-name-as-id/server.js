import express from "express";
import multer from "multer";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

const app = express();
const port = Number(process.env.PORT) || 3000;
const uploadDir = process.env.UPLOAD_DIR;
const maxUploadBytes = Number(process.env.MAX_UPLOAD_BYTES);
const METADATA_SUFFIX = ".meta.json";

// The file keeps the name the client sent, and that name is its id, so a second upload
// with the same name replaces the first.
const upload = multer({
  storage: multer.diskStorage({
    destination: uploadDir,
    filename: (req, file, callback) => callback(null, path.basename(file.originalname)),
  }),
  limits: { fileSize: maxUploadBytes },
});

async function readMetadata(id) {
  return JSON.parse(await readFile(path.join(uploadDir, id + METADATA_SUFFIX), "utf8"));
}

app.post("/uploads", upload.single("file"), async (req, res) => {
  if (!req.file) {
    return res.status(400).json({ error: "no file uploaded" });
  }
  const metadata = { id: req.file.filename, name: req.file.originalname, size: req.file.size, type: req.file.mimetype };
  await writeFile(path.join(uploadDir, metadata.id + METADATA_SUFFIX), JSON.stringify(metadata));
  res.status(201).json(metadata);
});

app.get("/uploads", async (req, res) => {
  const names = (await readdir(uploadDir)).filter((name) => name.endsWith(METADATA_SUFFIX));
  res.json(await Promise.all(names.map((name) => readMetadata(name.slice(0, -METADATA_SUFFIX.length)))));
});

app.get("/uploads/:id", async (req, res) => {
  const id = path.basename(req.params.id);
  const metadata = await readMetadata(id).catch(() => null);
  if (!metadata) {
    return res.status(404).json({ error: "upload not found" });
  }
  res.type(metadata.type);
  res.sendFile(id, { root: uploadDir });
});

app.use((err, req, res, next) => {
  if (err instanceof multer.MulterError) {
    return res.status(err.code === "LIMIT_FILE_SIZE" ? 413 : 400).json({ error: err.message });
  }
  res.status(500).json({ error: "internal server error" });
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
