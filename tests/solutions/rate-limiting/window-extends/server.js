import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;
const RATE_LIMIT = Number(process.env.RATE_LIMIT) || 5;
const RATE_WINDOW_MS = (Number(process.env.RATE_WINDOW_SECONDS) || 60) * 1000;

app.use(express.json());

// For each client IP: how many requests it sent, and when it sent the last one.
const clients = new Map();

function rateLimit(req, res, next) {
  const now = Date.now();
  let client = clients.get(req.ip);
  if (!client || now - client.lastRequest >= RATE_WINDOW_MS) {
    client = { count: 0, lastRequest: now };
    clients.set(req.ip, client);
  }
  client.count += 1;
  client.lastRequest = now;

  const secondsLeft = Math.ceil(RATE_WINDOW_MS / 1000);
  res.set("RateLimit-Limit", String(RATE_LIMIT));
  res.set("RateLimit-Remaining", String(Math.max(RATE_LIMIT - client.count, 0)));
  res.set("RateLimit-Reset", String(secondsLeft));
  if (client.count > RATE_LIMIT) {
    res.set("Retry-After", String(secondsLeft));
    return res.status(429).json({ error: "too many requests" });
  }
  next();
}

app.get("/health", (req, res) => {
  res.json({ status: "ok" });
});

app.get("/api/echo", rateLimit, (req, res) => {
  res.json({ message: String(req.query.message ?? "") });
});

app.post("/api/echo", rateLimit, (req, res) => {
  res.json({ message: req.body?.message ?? "" });
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
