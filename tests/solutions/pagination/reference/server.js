import { readFileSync } from "node:fs";
import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 50;

const products = JSON.parse(readFileSync(process.env.PRODUCTS_FILE, "utf8"));

// Returns the whole number in `value`, the default when it is absent, or null when invalid.
function parseWholeNumber(value, defaultValue) {
  if (value === undefined) return defaultValue;
  if (typeof value !== "string" || !/^[0-9]+$/.test(value)) return null;
  return Number(value);
}

app.get("/products", (req, res) => {
  const page = parseWholeNumber(req.query.page, 1);
  if (page === null || page < 1) {
    return res.status(400).json({ error: "page must be a whole number from 1 up" });
  }
  const limit = parseWholeNumber(req.query.limit, DEFAULT_LIMIT);
  if (limit === null || limit < 1 || limit > MAX_LIMIT) {
    return res.status(400).json({ error: `limit must be a whole number from 1 to ${MAX_LIMIT}` });
  }

  const start = (page - 1) * limit;
  res.json({
    items: products.slice(start, start + limit),
    page,
    limit,
    totalItems: products.length,
    totalPages: Math.ceil(products.length / limit),
  });
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
