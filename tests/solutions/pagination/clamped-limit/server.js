import { readFileSync } from "node:fs";
import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

const products = JSON.parse(readFileSync(process.env.PRODUCTS_FILE, "utf8"));

app.get("/products", (req, res) => {
  const { page = "1", limit = "10" } = req.query;
  if (!/^\d+$/.test(page) || Number(page) < 1) {
    return res.status(400).json({ error: "page must be a positive whole number" });
  }
  if (!/^\d+$/.test(limit)) {
    return res.status(400).json({ error: "limit must be a whole number" });
  }
  const pageNumber = Number(page);
  // Keep the page size between 1 and 50.
  const size = Math.min(Math.max(Number(limit), 1), 50);

  res.json({
    items: products.slice((pageNumber - 1) * size, pageNumber * size),
    page: pageNumber,
    limit: size,
    totalItems: products.length,
    totalPages: Math.ceil(products.length / size),
  });
});

app.listen(port, () => console.log(`Listening on ${port}`));
