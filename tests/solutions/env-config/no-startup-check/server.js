import express from "express";

// The env file is loaded, but nothing checks that the required variables are set, so the
// server starts without them.
if (process.env.ENV_FILE) {
  process.loadEnvFile(process.env.ENV_FILE);
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
  if (!process.env.API_KEY || req.get("X-Api-Key") !== process.env.API_KEY) {
    return res.status(401).json({ error: "invalid API key" });
  }
  res.json({ ok: true });
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
