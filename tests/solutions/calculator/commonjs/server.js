const express = require("express");

const app = express();
const port = Number(process.env.PORT) || 3000;

const NUMBER_PATTERN = /^-?\d+(\.\d+)?$/;
const OPERATIONS = ["add", "subtract", "multiply", "divide"];

function calculate(a, b, op) {
  switch (op) {
    case "add":
      return a + b;
    case "subtract":
      return a - b;
    case "multiply":
      return a * b;
    default:
      return a / b;
  }
}

app.get("/calculate", (req, res) => {
  const { a, b, op } = req.query;

  if (a === undefined || b === undefined || op === undefined) {
    return res.status(400).json({ error: "a, b and op are all required" });
  }
  if (!NUMBER_PATTERN.test(a) || !NUMBER_PATTERN.test(b)) {
    return res.status(400).json({ error: "a and b must be decimal numbers" });
  }
  if (!OPERATIONS.includes(op)) {
    return res.status(400).json({ error: `op must be one of ${OPERATIONS.join(", ")}` });
  }
  if (op === "divide" && Number(b) === 0) {
    return res.status(400).json({ error: "cannot divide by zero" });
  }

  return res.json({ result: calculate(Number(a), Number(b), op) });
});

app.listen(port, () => {
  console.log(`Calculator running at http://localhost:${port}`);
});
