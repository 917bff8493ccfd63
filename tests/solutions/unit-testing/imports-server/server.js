// Unit testing: Write the npm test suite of a pricing module; it must pass on the correct module and fail on each planted bug.
// The full spec is in README.md, or run `hubgrade show unit-testing`.
// This server is complete: your task is the test suite in test/, run by `npm test`.
import express from "express";

import { bulkDiscountPercent, lineTotal, orderTotal } from "./src/pricing.js";

const app = express();
const port = Number(process.env.PORT) || 3000;

app.use(express.json());

// Reads a query parameter as a number; a missing or empty one is NaN, which the
// pricing functions reject.
function queryNumber(value) {
  return typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
}

// GET /price?unitCents=250&quantity=12: the price of one order line.
app.get("/price", (req, res) => {
  const unitCents = queryNumber(req.query.unitCents);
  const quantity = queryNumber(req.query.quantity);
  try {
    const total = lineTotal(unitCents, quantity);
    res.json({ unitCents, quantity, discountPercent: bulkDiscountPercent(quantity), total });
  } catch (error) {
    res.status(400).json({ error: error.message });
  }
});

// POST /orders/total with {"lines": [{"unitCents": 250, "quantity": 12}]}: the order total.
app.post("/orders/total", (req, res) => {
  try {
    res.json({ total: orderTotal(req.body?.lines) });
  } catch (error) {
    res.status(400).json({ error: error.message });
  }
});

app.listen(port, () => {
  console.log(`Server listening on port ${port}`);
});
