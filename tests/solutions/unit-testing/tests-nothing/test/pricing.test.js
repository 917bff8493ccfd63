import assert from "node:assert/strict";
import { test } from "node:test";

import { applyDiscount, bulkDiscountPercent, lineTotal, orderTotal } from "../src/pricing.js";

test("the pricing functions run", () => {
  bulkDiscountPercent(10);
  applyDiscount(3330, 5);
  lineTotal(250, 12);
  orderTotal([{ unitCents: 250, quantity: 12 }]);
});

test("the pricing functions return numbers", () => {
  assert.equal(typeof bulkDiscountPercent(10), "number");
  assert.equal(typeof applyDiscount(3330, 5), "number");
  assert.equal(typeof lineTotal(250, 12), "number");
  assert.equal(typeof orderTotal([]), "number");
});
