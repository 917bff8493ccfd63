import express from "express";

const app = express();
const port = process.env.PORT || 3000;

app.use(express.json());

function isValidDate(year, month, day) {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

// v1 keeps its own list of { id, name, birthday }.
const v1Contacts = [];
const v1 = express.Router();

v1.post("/contacts", (req, res) => {
  const { name, birthday } = req.body || {};
  if (typeof name !== "string" || name === "") {
    return res.status(400).json({ error: "name is required" });
  }
  const match = typeof birthday === "string" && birthday.match(/^(\d{2})\/(\d{2})\/(\d{4})$/);
  if (!match || !isValidDate(Number(match[3]), Number(match[1]), Number(match[2]))) {
    return res.status(400).json({ error: "birthday must be MM/DD/YYYY" });
  }
  const contact = { id: v1Contacts.length + 1, name, birthday };
  v1Contacts.push(contact);
  res.status(201).json(contact);
});

v1.get("/contacts", (req, res) => res.json(v1Contacts));

v1.get("/contacts/:id", (req, res) => {
  const contact = v1Contacts.find((c) => c.id === Number(req.params.id));
  if (!contact) return res.status(404).json({ error: "contact not found" });
  res.json(contact);
});

// v2 was added later with a list of its own: { id, firstName, lastName, birthDate }.
const v2Contacts = [];
const v2 = express.Router();

v2.post("/contacts", (req, res) => {
  const { firstName, lastName, birthDate } = req.body || {};
  if (typeof firstName !== "string" || firstName === "" || typeof lastName !== "string") {
    return res.status(400).json({ error: "firstName and lastName are required" });
  }
  const match = typeof birthDate === "string" && birthDate.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (!match || !isValidDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
    return res.status(400).json({ error: "birthDate must be YYYY-MM-DD" });
  }
  const contact = { id: v2Contacts.length + 1, firstName, lastName, birthDate };
  v2Contacts.push(contact);
  res.status(201).json(contact);
});

v2.get("/contacts", (req, res) => res.json({ data: v2Contacts, total: v2Contacts.length }));

v2.get("/contacts/:id", (req, res) => {
  const contact = v2Contacts.find((c) => c.id === Number(req.params.id));
  if (!contact) return res.status(404).json({ error: "contact not found" });
  res.json(contact);
});

app.use("/api/v1", v1);
app.use("/api/v2", v2);

app.use((req, res) => {
  res.status(404).json({ error: "not found" });
});

app.listen(port, () => console.log(`API on port ${port}`));
