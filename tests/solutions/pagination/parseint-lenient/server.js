import { readFileSync } from "node:fs";
import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

const products = JSON.parse(readFileSync(process.env.PRODUCTS_FILE, "utf8"));

app.get("/products", (req, res) => {
  const page = req.query.page === undefined ? 1 : parseInt(req.query.page, 10);
  const limit = req.query.limit === undefined ? 10 : parseInt(req.query.limit, 10);

  if (Number.isNaN(page) || page < 1) {
    return res.status(400).json({ error: "page must be 1 or more" });
  }
  if (Number.isNaN(limit) || limit < 1 || limit > 50) {
    return res.status(400).json({ error: "limit must be between 1 and 50" });
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

app.listen(port, () => console.log(`Listening on ${port}`));
