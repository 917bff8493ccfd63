import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

app.use(express.json());

// Contacts are stored once, in the v2 form: { id, firstName, lastName, birthDate: "YYYY-MM-DD" }.
const contacts = [];
let lastId = 0;

const V1_DATE = /^(\d{2})\/(\d{2})\/(\d{4})$/;
const V2_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

// Returns true when the year, month and day name a date that exists.
function isExistingDate(year, month, day) {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

// Returns "YYYY-MM-DD" for a v1 birthday "MM/DD/YYYY", or null when it is invalid.
function parseV1Date(value) {
  const match = typeof value === "string" ? V1_DATE.exec(value) : null;
  if (!match) return null;
  const [, month, day, year] = match;
  return isExistingDate(Number(year), Number(month), Number(day)) ? `${year}-${month}-${day}` : null;
}

function isV2Date(value) {
  const match = typeof value === "string" ? V2_DATE.exec(value) : null;
  if (!match) return false;
  const [, year, month, day] = match;
  return isExistingDate(Number(year), Number(month), Number(day));
}

function toV1({ id, firstName, lastName, birthDate }) {
  const [year, month, day] = birthDate.split("-");
  const name = lastName === "" ? firstName : `${firstName} ${lastName}`;
  return { id, name, birthday: `${month}/${day}/${year}` };
}

function toV2({ id, firstName, lastName, birthDate }) {
  return { id, firstName, lastName, birthDate };
}

function isNonEmptyString(value) {
  return typeof value === "string" && value !== "";
}

function addContact(firstName, lastName, birthDate) {
  lastId += 1;
  const contact = { id: lastId, firstName, lastName, birthDate };
  contacts.push(contact);
  return contact;
}

// Sends the contact named by :id through `view`, or 404 when no contact has that id.
function sendContact(req, res, view) {
  const contact = contacts.find((item) => String(item.id) === req.params.id);
  if (!contact) {
    return res.status(404).json({ error: `contact ${req.params.id} not found` });
  }
  res.json(view(contact));
}

const v1 = express.Router();

v1.post("/contacts", (req, res) => {
  const { name, birthday } = req.body ?? {};
  if (!isNonEmptyString(name)) {
    return res.status(400).json({ error: "name must be a non-empty string" });
  }
  const birthDate = parseV1Date(birthday);
  if (birthDate === null) {
    return res.status(400).json({ error: "birthday must be an existing date in the form MM/DD/YYYY" });
  }
  const [firstName, lastName = ""] = name.split(" ");
  res.status(201).json(toV1(addContact(firstName, lastName, birthDate)));
});

v1.get("/contacts", (req, res) => {
  res.json(contacts.map(toV1));
});

v1.get("/contacts/:id", (req, res) => sendContact(req, res, toV1));

const v2 = express.Router();

v2.post("/contacts", (req, res) => {
  const { firstName, lastName, birthDate } = req.body ?? {};
  if (!isNonEmptyString(firstName)) {
    return res.status(400).json({ error: "firstName must be a non-empty string" });
  }
  if (typeof lastName !== "string") {
    return res.status(400).json({ error: "lastName must be a string" });
  }
  if (!isV2Date(birthDate)) {
    return res.status(400).json({ error: "birthDate must be an existing date in the form YYYY-MM-DD" });
  }
  res.status(201).json(toV2(addContact(firstName, lastName, birthDate)));
});

v2.get("/contacts", (req, res) => {
  const data = contacts.map(toV2);
  res.json({ data, total: data.length });
});

v2.get("/contacts/:id", (req, res) => sendContact(req, res, toV2));

app.use("/api/v1", v1);
app.use("/api/v2", v2);

// Runs for every /api request that neither version handled: an unknown version or route.
app.use("/api", (req, res) => {
  res.status(404).json({ error: `no route for ${req.method} ${req.originalUrl}; the API versions are v1 and v2` });
});

app.use((req, res) => {
  res.status(404).json({ error: `no route for ${req.method} ${req.originalUrl}` });
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
