import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;
const RATE_LIMIT = Number(process.env.RATE_LIMIT) || 5;
const RATE_WINDOW_MS = (Number(process.env.RATE_WINDOW_SECONDS) || 60) * 1000;

app.use(express.json());

// Each call makes a limiter with its own map of client windows.
function createLimiter() {
  const windows = new Map();
  return (req, res, next) => {
    const now = Date.now();
    let window = windows.get(req.ip);
    if (!window || now >= window.start + RATE_WINDOW_MS) {
      window = { start: now, count: 0 };
      windows.set(req.ip, window);
    }
    window.count += 1;

    const secondsLeft = Math.ceil((window.start + RATE_WINDOW_MS - now) / 1000);
    res.set("RateLimit-Limit", String(RATE_LIMIT));
    res.set("RateLimit-Remaining", String(Math.max(RATE_LIMIT - window.count, 0)));
    res.set("RateLimit-Reset", String(secondsLeft));
    if (window.count > RATE_LIMIT) {
      res.set("Retry-After", String(Math.max(secondsLeft, 1)));
      return res.status(429).json({ error: "rate limit exceeded" });
    }
    next();
  };
}

app.get("/health", (req, res) => {
  res.json({ status: "ok" });
});

app.get("/api/echo", createLimiter(), (req, res) => {
  res.json({ message: String(req.query.message ?? "") });
});

app.post("/api/echo", createLimiter(), (req, res) => {
  res.json({ message: req.body?.message ?? "" });
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
