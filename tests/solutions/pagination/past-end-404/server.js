import { readFileSync } from "node:fs";
import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

const products = JSON.parse(readFileSync(process.env.PRODUCTS_FILE, "utf8"));

function readNumber(value, fallback) {
  if (value === undefined) return fallback;
  return /^\d+$/.test(value) ? Number(value) : NaN;
}

app.get("/products", (req, res) => {
  const page = readNumber(req.query.page, 1);
  const limit = readNumber(req.query.limit, 10);
  if (!(page >= 1)) return res.status(400).json({ error: "invalid page" });
  if (!(limit >= 1 && limit <= 50)) return res.status(400).json({ error: "invalid limit" });

  const totalPages = Math.ceil(products.length / limit);
  if (page > totalPages) {
    return res.status(404).json({ error: `page ${page} not found, the last page is ${totalPages}` });
  }
  const items = products.slice((page - 1) * limit, page * limit);
  res.json({ items, page, limit, totalItems: products.length, totalPages });
});

app.listen(port, () => console.log(`Listening on ${port}`));
