import bcrypt from "bcryptjs";
import express from "express";
import jwt from "jsonwebtoken";

const app = express();
const port = Number(process.env.PORT) || 3000;
const JWT_SECRET = process.env.JWT_SECRET;
const JWT_EXPIRES_SECONDS = Number(process.env.JWT_EXPIRES_SECONDS);
const BCRYPT_COST = 10;

if (!JWT_SECRET || !Number.isInteger(JWT_EXPIRES_SECONDS) || JWT_EXPIRES_SECONDS <= 0) {
  console.error("JWT_SECRET and JWT_EXPIRES_SECONDS (a whole number of seconds) must be set. Set both and restart.");
  process.exit(1);
}

app.use(express.json());

// username -> bcrypt hash of the password.
const users = new Map();
// The hash that an unknown username is compared against. It makes an unknown user take as
// long as a wrong password, so the response time does not reveal which usernames exist.
const unknownUserHash = bcrypt.hashSync("unknown user", BCRYPT_COST);

function isNonEmptyString(value) {
  return typeof value === "string" && value !== "";
}

async function verifyPassword(username, password) {
  if (typeof username !== "string" || typeof password !== "string") return false;
  const passwordHash = users.get(username);
  const matches = await bcrypt.compare(password, passwordHash ?? unknownUserHash);
  return typeof passwordHash === "string" && matches;
}

// Returns the username from a valid "Authorization: Bearer <token>" header, or null.
function authenticate(header) {
  const match = /^Bearer +(\S+)$/i.exec(header ?? "");
  if (!match) return null;
  try {
    // Pinning the algorithm rejects "alg": "none" and every other algorithm.
    const { sub } = jwt.verify(match[1], JWT_SECRET, { algorithms: ["HS256"] });
    return typeof sub === "string" && typeof users.get(sub) === "string" ? sub : null;
  } catch {
    return null;
  }
}

app.post("/register", async (req, res) => {
  const { username, password } = req.body ?? {};
  if (!isNonEmptyString(username) || !isNonEmptyString(password)) {
    return res.status(400).json({ error: "username and password must be non-empty strings" });
  }
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
  // This is the flaw: without expiresIn the token has no exp and never expires.
  const token = jwt.sign({ sub: username }, JWT_SECRET, { algorithm: "HS256" });
  res.json({ token });
});

app.get("/me", (req, res) => {
  const username = authenticate(req.get("Authorization"));
  if (!username) {
    return res.status(401).json({ error: "a valid Bearer token is required" });
  }
  res.json({ username });
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
