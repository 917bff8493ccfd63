import express from "express";
import { setTimeout as sleep } from "node:timers/promises";

const app = express();
const port = Number(process.env.PORT) || 3000;
const SLOW_MS = Number(process.env.SLOW_MS) || 500;
const CACHE_TTL_SECONDS = Number(process.env.CACHE_TTL_SECONDS) || 60;

app.use(express.json());

const products = new Map();
let lastId = 0;

async function loadProduct(id) {
  await sleep(SLOW_MS);
  return products.get(String(id)) ?? null;
}

function saveProduct(product) {
  if (product.id === undefined) {
    lastId += 1;
    product = { id: lastId, ...product };
  }
  products.set(String(product.id), product);
  return product;
}

// The cache is a Map in the server instead of Redis: key -> { product, expiresAt }.
const cache = new Map();

function cacheGet(key) {
  const entry = cache.get(key);
  if (!entry) return null;
  if (Date.now() > entry.expiresAt) {
    cache.delete(key);
    return null;
  }
  return entry.product;
}

function cacheSet(key, product) {
  cache.set(key, { product, expiresAt: Date.now() + CACHE_TTL_SECONDS * 1000 });
}

function validate(body) {
  if (typeof body.name !== "string" || body.name.length === 0) return "name is required";
  if (typeof body.price !== "number" || body.price < 0) return "price must be a positive number";
  return null;
}

app.post("/products", (req, res) => {
  const error = validate(req.body ?? {});
  if (error) return res.status(400).json({ error });
  res.status(201).json(saveProduct({ name: req.body.name, price: req.body.price }));
});

app.get("/products/:id", async (req, res) => {
  const key = `product:${req.params.id}`;
  const hit = cacheGet(key);
  if (hit) {
    res.setHeader("X-Cache", "HIT");
    return res.json(hit);
  }
  const product = await loadProduct(req.params.id);
  if (!product) return res.status(404).json({ error: "product not found" });
  cacheSet(key, product);
  res.setHeader("X-Cache", "MISS");
  res.json(product);
});

app.put("/products/:id", async (req, res) => {
  const error = validate(req.body ?? {});
  if (error) return res.status(400).json({ error });
  const product = await loadProduct(req.params.id);
  if (!product) return res.status(404).json({ error: "product not found" });
  const updated = saveProduct({ id: product.id, name: req.body.name, price: req.body.price });
  cache.delete(`product:${req.params.id}`);
  res.json(updated);
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
