import express from "express";

const app = express();
const PORT = process.env.PORT || 3000;

const operations = {
  add: (x, y) => x + y,
  subtract: (x, y) => x - y,
  multiply: (x, y) => x * y,
  divide: (x, y) => x / y,
};

app.get("/calculate", (req, res) => {
  const { a, b, op } = req.query;
  if (!a || !b || !op) {
    return res.status(400).json({ error: "a, b and op are required" });
  }

  const x = parseInt(a);
  const y = parseInt(b);
  if (Number.isNaN(x) || Number.isNaN(y)) {
    return res.status(400).json({ error: "a and b must be numbers" });
  }
  if (!(op in operations)) {
    return res.status(400).json({ error: `Unsupported operation: ${op}` });
  }
  if (op === "divide" && y === 0) {
    return res.status(400).json({ error: "Division by zero is not allowed" });
  }

  res.json({ result: operations[op](x, y) });
});

app.listen(PORT, () => console.log(`Listening on ${PORT}`));
