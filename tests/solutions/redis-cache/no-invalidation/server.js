import express from "express";
import Redis from "ioredis";
import { setTimeout as sleep } from "node:timers/promises";

const app = express();
const port = Number(process.env.PORT) || 3000;
const SLOW_MS = Number(process.env.SLOW_MS) || 500;
const CACHE_TTL_SECONDS = Number(process.env.CACHE_TTL_SECONDS) || 60;

app.use(express.json());

const redis = new Redis(process.env.REDIS_URL);
redis.on("error", (err) => console.error("Redis error:", err.message));

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

function checkBody(body) {
  const { name, price } = body ?? {};
  if (typeof name !== "string" || !name) return "name must be a non-empty string";
  if (typeof price !== "number" || Number.isNaN(price) || price < 0) return "price must be a number >= 0";
  return null;
}

app.post("/products", (req, res) => {
  const error = checkBody(req.body);
  if (error) return res.status(400).json({ error });
  res.status(201).json(saveProduct({ name: req.body.name, price: req.body.price }));
});

app.get("/products/:id", async (req, res) => {
  const key = "product:" + req.params.id;
  const cached = await redis.get(key);
  if (cached) {
    res.set("X-Cache", "HIT");
    return res.json(JSON.parse(cached));
  }
  const product = await loadProduct(req.params.id);
  if (!product) return res.status(404).json({ error: "no such product" });
  await redis.set(key, JSON.stringify(product), "EX", CACHE_TTL_SECONDS);
  res.set("X-Cache", "MISS");
  res.json(product);
});

// Updates the store only: the cached copy stays in Redis until it expires.
app.put("/products/:id", async (req, res) => {
  const error = checkBody(req.body);
  if (error) return res.status(400).json({ error });
  const product = await loadProduct(req.params.id);
  if (!product) return res.status(404).json({ error: "no such product" });
  res.json(saveProduct({ id: product.id, name: req.body.name, price: req.body.price }));
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
