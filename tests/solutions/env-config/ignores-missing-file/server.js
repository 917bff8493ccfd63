import dotenv from "dotenv";
import express from "express";

// dotenv.config returns an error for a missing file instead of throwing, and it is ignored.
dotenv.config({ path: process.env.ENV_FILE, quiet: true });

const missing = ["APP_NAME", "REGION", "SUPPORT_EMAIL", "API_KEY"].filter((name) => !process.env[name]);
if (missing.length > 0) {
  console.error(`Missing required environment variables: ${missing.join(", ")}`);
  process.exit(1);
}

const app = express();
const port = Number(process.env.PORT) || 3000;

app.get("/config", (req, res) => {
  res.json({
    appName: process.env.APP_NAME,
    region: process.env.REGION,
    supportEmail: process.env.SUPPORT_EMAIL,
    maxItems: Number(process.env.MAX_ITEMS) || 10,
  });
});

app.get("/secure", (req, res) => {
  if (req.get("X-Api-Key") !== process.env.API_KEY) {
    return res.status(401).json({ error: "invalid API key" });
  }
  res.json({ ok: true });
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
