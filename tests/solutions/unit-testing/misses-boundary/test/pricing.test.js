import assert from "node:assert/strict";
import { test } from "node:test";

import { applyDiscount, bulkDiscountPercent, lineTotal, orderTotal } from "../src/pricing.js";

test("small lines get no discount", () => {
  assert.equal(bulkDiscountPercent(5), 0);
  assert.equal(lineTotal(250, 3), 750);
});

test("medium lines get 5 %", () => {
  assert.equal(bulkDiscountPercent(20), 5);
  assert.equal(lineTotal(100, 20), 1900);
});

test("large lines get 10 %", () => {
  assert.equal(bulkDiscountPercent(60), 10);
  assert.equal(lineTotal(100, 60), 5400);
});

test("applyDiscount rounds to the nearest cent", () => {
  assert.equal(applyDiscount(3330, 5), 3164);
  assert.equal(applyDiscount(1999, 5), 1899);
});

test("lineTotal rejects invalid quantities", () => {
  assert.throws(() => lineTotal(250, 0), RangeError);
  assert.throws(() => lineTotal(250, -2), RangeError);
});

test("orderTotal adds the discounted lines", () => {
  assert.equal(orderTotal([{ unitCents: 100, quantity: 20 }, { unitCents: 99, quantity: 2 }]), 1900 + 198);
  assert.equal(orderTotal([]), 0);
});
