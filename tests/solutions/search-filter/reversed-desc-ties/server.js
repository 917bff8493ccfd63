import { readFileSync } from "node:fs";
import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

const products = JSON.parse(readFileSync(process.env.PRODUCTS_FILE, "utf8"));
const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;

function sortProducts(list, sort) {
  const [key, direction] = sort.split("_");
  const ascending = [...list].sort((a, b) =>
    key === "price" ? a.price - b.price : a.name.toLowerCase().localeCompare(b.name.toLowerCase()),
  );
  return direction === "desc" ? ascending.reverse() : ascending;
}

app.get("/products", (req, res) => {
  const { q = "", category = "", minPrice = "", maxPrice = "", sort = "" } = req.query;
  if ((minPrice && !DECIMAL.test(minPrice)) || (maxPrice && !DECIMAL.test(maxPrice))) {
    return res.status(400).json({ error: "prices must be positive numbers" });
  }
  if (minPrice && maxPrice && Number(minPrice) > Number(maxPrice)) {
    return res.status(400).json({ error: "minPrice is above maxPrice" });
  }
  if (sort && !["price_asc", "price_desc", "name_asc", "name_desc"].includes(sort)) {
    return res.status(400).json({ error: "sort is invalid" });
  }

  const text = q.toLowerCase();
  let result = products.filter((p) => {
    if (text && !p.name.toLowerCase().includes(text) && !p.description.toLowerCase().includes(text)) return false;
    if (category && p.category !== category) return false;
    if (minPrice && p.price < Number(minPrice)) return false;
    if (maxPrice && p.price > Number(maxPrice)) return false;
    return true;
  });
  if (sort) result = sortProducts(result, sort);
  res.json(result);
});

app.listen(port, () => console.log(`Listening on ${port}`));
