import { readFileSync } from "node:fs";
import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

const products = JSON.parse(readFileSync(process.env.PRODUCTS_FILE, "utf8"));

const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;
const COMPARATORS = {
  price_asc: (a, b) => a.price - b.price,
  price_desc: (a, b) => b.price - a.price,
  name_asc: (a, b) => compareNames(a.name, b.name),
  name_desc: (a, b) => compareNames(b.name, a.name),
};

function compareNames(left, right) {
  const a = left.toLowerCase();
  const b = right.toLowerCase();
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

// Returns the query parameter, or undefined when it is absent or empty.
function param(req, name) {
  const value = req.query[name];
  return value === undefined || value === "" ? undefined : value;
}

app.get("/products", (req, res) => {
  const q = param(req, "q");
  const category = param(req, "category");
  const minText = param(req, "minPrice");
  const maxText = param(req, "maxPrice");
  const sort = param(req, "sort");

  for (const [name, value] of [["minPrice", minText], ["maxPrice", maxText]]) {
    if (value !== undefined && !(typeof value === "string" && DECIMAL.test(value))) {
      return res.status(400).json({ error: `${name} must be a decimal number such as 10 or 19.99` });
    }
  }
  const minPrice = minText === undefined ? undefined : Number(minText);
  const maxPrice = maxText === undefined ? undefined : Number(maxText);
  if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice) {
    return res.status(400).json({ error: "minPrice must not be greater than maxPrice" });
  }
  if (sort !== undefined && !Object.hasOwn(COMPARATORS, sort)) {
    return res.status(400).json({ error: `sort must be one of ${Object.keys(COMPARATORS).join(", ")}` });
  }

  const text = typeof q === "string" ? q.toLowerCase() : undefined;
  const found = products.filter(
    (product) =>
      (text === undefined ||
        product.name.toLowerCase().includes(text) ||
        product.description.toLowerCase().includes(text)) &&
      (category === undefined || product.category === category) &&
      (minPrice === undefined || product.price >= minPrice) &&
      (maxPrice === undefined || product.price <= maxPrice),
  );
  res.json(sort === undefined ? found : found.toSorted(COMPARATORS[sort]));
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
