import express from "express";

const app = express();
const port = process.env.PORT || 3000;

app.get("/calculate", (req, res) => {
  const a = parseFloat(req.query.a);
  const b = parseFloat(req.query.b);
  const op = req.query.op;

  if (isNaN(a) || isNaN(b)) {
    return res.status(400).json({ error: "Please provide two valid numbers" });
  }

  switch (op) {
    case "add":
      return res.json({ result: a + b });
    case "subtract":
      return res.json({ result: a - b });
    case "multiply":
      return res.json({ result: a * b });
    case "divide":
      return res.json({ result: a / b });
    default:
      return res.status(400).json({ error: "Unknown operation" });
  }
});

app.listen(port, () => {
  console.log(`Server running on port ${port}`);
});
