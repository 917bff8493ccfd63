import express from "express";

const app = express();
const port = process.env.PORT || 3000;

app.get("/calculate", (req, res) => {
  const { a, b, op } = req.query;

  if (a === undefined || b === undefined || op === undefined) {
    return res.status(400).json({ error: "Missing parameters" });
  }
  if (isNaN(a) || isNaN(b)) {
    return res.status(400).json({ error: "a and b must be numbers" });
  }

  let result;
  if (op === "add") {
    result = a + b;
  } else if (op === "subtract") {
    result = a - b;
  } else if (op === "multiply") {
    result = a * b;
  } else if (op === "divide") {
    if (b == 0) {
      return res.status(400).json({ error: "Cannot divide by zero" });
    }
    result = a / b;
  } else {
    return res.status(400).json({ error: "Invalid operation" });
  }

  res.json({ result });
});

app.listen(port, () => {
  console.log(`Server running on port ${port}`);
});
