import { readFileSync } from "node:fs";
import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

const products = JSON.parse(readFileSync(process.env.PRODUCTS_FILE, "utf8"));

const sorters = {
  price_asc: (a, b) => a.price - b.price,
  price_desc: (a, b) => b.price - a.price,
  name_asc: (a, b) => a.name.localeCompare(b.name),
  name_desc: (a, b) => b.name.localeCompare(a.name),
};

function readPrice(value) {
  if (value === undefined || value === "") return undefined;
  return /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
}

app.get("/products", (req, res) => {
  const minPrice = readPrice(req.query.minPrice);
  const maxPrice = readPrice(req.query.maxPrice);
  if (Number.isNaN(minPrice) || Number.isNaN(maxPrice)) {
    return res.status(400).json({ error: "minPrice and maxPrice must be numbers" });
  }
  if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice) {
    return res.status(400).json({ error: "minPrice cannot be more than maxPrice" });
  }
  const sort = req.query.sort || undefined;
  if (sort !== undefined && !sorters[sort]) {
    return res.status(400).json({ error: `unknown sort ${sort}` });
  }

  let result = products;
  if (req.query.q) {
    const pattern = new RegExp(req.query.q, "i");
    result = result.filter((p) => pattern.test(p.name) || pattern.test(p.description));
  }
  if (req.query.category) result = result.filter((p) => p.category === req.query.category);
  if (minPrice !== undefined) result = result.filter((p) => p.price >= minPrice);
  if (maxPrice !== undefined) result = result.filter((p) => p.price <= maxPrice);
  if (sort) result = result.toSorted(sorters[sort]);
  res.json(result);
});

app.listen(port, () => console.log(`Listening on ${port}`));
