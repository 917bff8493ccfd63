import express from "express";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "redis";

const app = express();
const port = Number(process.env.PORT) || 3000;
const SLOW_MS = Number(process.env.SLOW_MS) || 500;
const CACHE_TTL_SECONDS = Number(process.env.CACHE_TTL_SECONDS) || 60;

app.use(express.json());

const redis = createClient({ url: process.env.REDIS_URL });
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

// Returns the first problem with the body, or null when both fields are valid.
function invalidField(body) {
  if (typeof body.name !== "string" || body.name === "") return "name must be a non-empty string";
  if (typeof body.price !== "number" || !(body.price >= 0)) return "price must be a number of zero or more";
  return null;
}

function cacheKey(id) {
  return `product:${id}`;
}

app.post("/products", (req, res) => {
  const body = req.body ?? {};
  const problem = invalidField(body);
  if (problem) return res.status(400).json({ error: problem });
  res.status(201).json(saveProduct({ name: body.name, price: body.price }));
});

app.get("/products/:id", async (req, res) => {
  const key = cacheKey(req.params.id);
  const cached = await redis.get(key);
  if (cached !== null) {
    return res.set("X-Cache", "HIT").json(JSON.parse(cached));
  }

  const product = await loadProduct(req.params.id);
  if (!product) return res.status(404).json({ error: `product ${req.params.id} not found` });
  await redis.set(key, JSON.stringify(product));
  res.set("X-Cache", "MISS").json(product);
});

app.put("/products/:id", async (req, res) => {
  const body = req.body ?? {};
  const problem = invalidField(body);
  if (problem) return res.status(400).json({ error: problem });
  const product = await loadProduct(req.params.id);
  if (!product) return res.status(404).json({ error: `product ${req.params.id} not found` });

  const updated = saveProduct({ id: product.id, name: body.name, price: body.price });
  await redis.del(cacheKey(req.params.id));
  res.json(updated);
});

await redis.connect();

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
