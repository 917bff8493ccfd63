import express from "express";
import { rateLimit } from "express-rate-limit";

const app = express();
const port = Number(process.env.PORT) || 3000;

app.use(express.json());
app.use(
  "/api",
  rateLimit({
    windowMs: (Number(process.env.RATE_WINDOW_SECONDS) || 60) * 1000,
    limit: Number(process.env.RATE_LIMIT) || 5,
  }),
);

app.get("/health", (req, res) => {
  res.json({ status: "ok" });
});

app.get("/api/echo", (req, res) => {
  res.json({ message: String(req.query.message ?? "") });
});

app.post("/api/echo", (req, res) => {
  res.json({ message: req.body?.message ?? "" });
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
