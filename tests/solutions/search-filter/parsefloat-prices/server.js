import { readFileSync } from "node:fs";
import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

const products = JSON.parse(readFileSync(process.env.PRODUCTS_FILE, "utf8"));

const byPrice = (a, b) => a.price - b.price;
const byName = (a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase());

app.get("/products", (req, res) => {
  const { q, category, sort } = req.query;
  const minPrice = req.query.minPrice ? parseFloat(req.query.minPrice) : null;
  const maxPrice = req.query.maxPrice ? parseFloat(req.query.maxPrice) : null;

  if (Number.isNaN(minPrice) || Number.isNaN(maxPrice) || minPrice < 0 || maxPrice < 0) {
    return res.status(400).json({ error: "minPrice and maxPrice must be positive numbers" });
  }
  if (minPrice !== null && maxPrice !== null && minPrice > maxPrice) {
    return res.status(400).json({ error: "minPrice must be less than or equal to maxPrice" });
  }

  let result = products.filter((p) => {
    const text = (q || "").toLowerCase();
    return (
      (p.name.toLowerCase().includes(text) || p.description.toLowerCase().includes(text)) &&
      (!category || p.category === category) &&
      (minPrice === null || p.price >= minPrice) &&
      (maxPrice === null || p.price <= maxPrice)
    );
  });

  // Unknown sort values leave the products in file order.
  if (sort === "price_asc") result = result.toSorted(byPrice);
  if (sort === "price_desc") result = result.toSorted((a, b) => byPrice(b, a));
  if (sort === "name_asc") result = result.toSorted(byName);
  if (sort === "name_desc") result = result.toSorted((a, b) => byName(b, a));
  res.json(result);
});

app.listen(port, () => console.log(`Listening on ${port}`));
