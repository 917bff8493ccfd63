import express from "express";
import { timingSafeEqual } from "node:crypto";

const REQUIRED = ["APP_NAME", "REGION", "SUPPORT_EMAIL", "API_KEY"];
const DEFAULT_MAX_ITEMS = 10;

// Reads the configuration once at start-up, or exits with code 1 and a message that names
// what is wrong.
function loadConfig() {
  const envFile = process.env.ENV_FILE;
  if (envFile) {
    try {
      // Variables already set in the environment keep their values.
      process.loadEnvFile(envFile);
    } catch (err) {
      console.error(`Cannot read the env file ${envFile} (from ENV_FILE): ${err.message}`);
      process.exit(1);
    }
  }
  const missing = REQUIRED.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    console.error(`Missing required environment variables: ${missing.join(", ")}`);
    process.exit(1);
  }
  const maxItems = process.env.MAX_ITEMS ? Number(process.env.MAX_ITEMS) : DEFAULT_MAX_ITEMS;
  if (!Number.isInteger(maxItems) || maxItems < 1) {
    console.error(`MAX_ITEMS must be a whole number of 1 or more, got ${process.env.MAX_ITEMS}`);
    process.exit(1);
  }
  return {
    appName: process.env.APP_NAME,
    region: process.env.REGION,
    supportEmail: process.env.SUPPORT_EMAIL,
    maxItems,
    apiKey: process.env.API_KEY,
  };
}

const config = loadConfig();
const app = express();
const port = Number(process.env.PORT) || 3000;

function isApiKey(value) {
  const received = Buffer.from(value ?? "");
  const expected = Buffer.from(config.apiKey);
  return received.length === expected.length && timingSafeEqual(received, expected);
}

app.get("/config", (req, res) => {
  const { appName, region, supportEmail, maxItems } = config;
  res.json({ appName, region, supportEmail, maxItems });
});

app.get("/secure", (req, res) => {
  if (!isApiKey(req.get("X-Api-Key"))) {
    return res.status(401).json({ error: "missing or wrong X-Api-Key header" });
  }
  res.json({ ok: true });
});

app.listen(port, () => {
  console.log(`${config.appName} listening on port ${port}`);
});
