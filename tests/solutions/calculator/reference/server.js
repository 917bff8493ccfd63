import express from "express";

const app = express();
const port = Number(process.env.PORT) || 3000;

// An optional minus sign, digits, and an optional fractional part: "7", "-42", "2.5".
const DECIMAL_NUMBER = /^-?\d+(\.\d+)?$/;

const operations = {
  add: (a, b) => a + b,
  subtract: (a, b) => a - b,
  multiply: (a, b) => a * b,
  divide: (a, b) => a / b,
};

function parseOperand(name, value) {
  if (typeof value !== "string" || value === "") {
    return { error: `query parameter ${name} is missing or empty` };
  }
  if (!DECIMAL_NUMBER.test(value)) {
    return { error: `query parameter ${name} must be a number, got "${value}"` };
  }
  return { value: Number(value) };
}

app.get("/calculate", (req, res) => {
  const a = parseOperand("a", req.query.a);
  if (a.error) return res.status(400).json({ error: a.error });
  const b = parseOperand("b", req.query.b);
  if (b.error) return res.status(400).json({ error: b.error });

  const { op } = req.query;
  if (typeof op !== "string" || op === "") {
    return res.status(400).json({ error: "query parameter op is missing or empty" });
  }
  if (!Object.hasOwn(operations, op)) {
    return res.status(400).json({ error: `unknown operation "${op}"; use add, subtract, multiply or divide` });
  }
  if (op === "divide" && b.value === 0) {
    return res.status(400).json({ error: "division by zero" });
  }

  res.json({ result: operations[op](a.value, b.value) });
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
