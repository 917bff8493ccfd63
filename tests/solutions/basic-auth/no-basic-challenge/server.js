import { createHash, timingSafeEqual } from "node:crypto";

import bcrypt from "bcryptjs";
import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;
const ADMIN_TOKEN = process.env.ADMIN_TOKEN;
const BCRYPT_COST = 10;

if (!ADMIN_TOKEN) {
  console.error("ADMIN_TOKEN is not set, so GET /admin/users rejects every request. Set it to use that route.");
}

app.use(express.json());

// username -> bcrypt hash of the password, in registration order.
const users = new Map();
// The hash that an unknown username is compared against. It makes an unknown user take as
// long as a wrong password, so the response time does not reveal which usernames exist.
const unknownUserHash = bcrypt.hashSync("unknown user", BCRYPT_COST);

function isNonEmptyString(value) {
  return typeof value === "string" && value !== "";
}

// Returns the reason the registration body is invalid, or null when it is valid.
function findInvalidField(body) {
  const { username, password } = body ?? {};
  if (!isNonEmptyString(username)) return "username must be a non-empty string";
  if (username.includes(":")) return "username must not contain a colon";
  if (!isNonEmptyString(password)) return "password must be a non-empty string";
  return null;
}

async function verifyPassword(username, password) {
  if (typeof username !== "string" || typeof password !== "string") return false;
  const passwordHash = users.get(username);
  const matches = await bcrypt.compare(password, passwordHash ?? unknownUserHash);
  return typeof passwordHash === "string" && matches;
}

// Returns {username, password} from a Basic Authorization header (RFC 7617), or null.
function parseBasicCredentials(header) {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2})$/i.exec(header ?? "");
  if (!match) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon === -1) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function isAdminToken(header) {
  const match = /^Bearer +(\S+)$/i.exec(header ?? "");
  if (!match || !ADMIN_TOKEN) return false;
  // Compare digests, which have equal lengths, in constant time.
  const digest = (text) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(match[1]), digest(ADMIN_TOKEN));
}

app.post("/register", async (req, res) => {
  const problem = findInvalidField(req.body);
  if (problem) return res.status(400).json({ error: problem });
  const { username, password } = req.body;
  if (users.has(username)) {
    return res.status(409).json({ error: `username ${username} is taken` });
  }
  // Reserve the name before hashing, so that a second request for it during the hash gets 409.
  users.set(username, null);
  users.set(username, await bcrypt.hash(password, BCRYPT_COST));
  res.status(201).json({ username });
});

app.post("/login", async (req, res) => {
  const { username, password } = req.body ?? {};
  if (!(await verifyPassword(username, password))) {
    return res.status(401).json({ error: "wrong username or password" });
  }
  res.json({ username });
});

app.get("/me", async (req, res) => {
  const credentials = parseBasicCredentials(req.get("Authorization"));
  if (!credentials || !(await verifyPassword(credentials.username, credentials.password))) {
    const error = credentials ? "wrong username or password" : "Basic credentials required";
    return res.status(401).json({ error });
  }
  res.json({ username: credentials.username });
});

app.get("/admin/users", (req, res) => {
  if (!isAdminToken(req.get("Authorization"))) {
    return res.status(401).json({ error: "admin token required" });
  }
  const listed = [...users].filter(([, passwordHash]) => passwordHash !== null);
  res.json(listed.map(([username, passwordHash]) => ({ username, passwordHash })));
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
