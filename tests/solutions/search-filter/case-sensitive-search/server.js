import { readFileSync } from "node:fs";
import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

const products = JSON.parse(readFileSync(process.env.PRODUCTS_FILE, "utf8"));
const SORTS = ["price_asc", "price_desc", "name_asc", "name_desc"];
const isDecimal = (value) => /^\d+(\.\d+)?$/.test(value);

app.get("/products", (req, res) => {
  const { q, category, minPrice, maxPrice, sort } = req.query;

  if (minPrice && !isDecimal(minPrice)) return res.status(400).json({ error: "invalid minPrice" });
  if (maxPrice && !isDecimal(maxPrice)) return res.status(400).json({ error: "invalid maxPrice" });
  if (minPrice && maxPrice && Number(minPrice) > Number(maxPrice)) {
    return res.status(400).json({ error: "minPrice is greater than maxPrice" });
  }
  if (sort && !SORTS.includes(sort)) return res.status(400).json({ error: "invalid sort" });

  let result = products;
  if (q) result = result.filter((p) => p.name.includes(q) || p.description.includes(q));
  if (category) result = result.filter((p) => p.category === category);
  if (minPrice) result = result.filter((p) => p.price >= Number(minPrice));
  if (maxPrice) result = result.filter((p) => p.price <= Number(maxPrice));

  if (sort) {
    const [field, direction] = sort.split("_");
    const sign = direction === "asc" ? 1 : -1;
    result = [...result].sort((a, b) => {
      if (field === "price") return sign * (a.price - b.price);
      return sign * a.name.toLowerCase().localeCompare(b.name.toLowerCase());
    });
  }
  res.json(result);
});

app.listen(port, () => console.log(`Listening on ${port}`));
