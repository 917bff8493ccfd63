import { readFileSync } from "node:fs";
import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

const products = JSON.parse(readFileSync(process.env.PRODUCTS_FILE, "utf8"));

function parsePositive(value, fallback) {
  if (value === undefined) return fallback;
  if (!/^[0-9]+$/.test(value)) return null;
  const number = Number(value);
  return number >= 1 ? number : null;
}

app.get("/products", (req, res) => {
  const page = parsePositive(req.query.page, 1);
  const limit = parsePositive(req.query.limit, 10);
  if (page === null) return res.status(400).json({ error: "invalid page" });
  if (limit === null || limit > 50) return res.status(400).json({ error: "invalid limit" });

  const offset = (page - 1) * limit;
  res.json({
    items: products.slice(offset, offset + limit),
    page,
    limit,
    totalItems: products.length,
    totalPages: Math.floor(products.length / limit),
  });
});

app.listen(port, () => console.log(`Listening on ${port}`));
