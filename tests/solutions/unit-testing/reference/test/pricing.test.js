import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { applyDiscount, BULK_TIERS, bulkDiscountPercent, lineTotal, orderTotal } from "../src/pricing.js";

describe("bulkDiscountPercent", () => {
  const cases = [
    [1, 0],
    [9, 0],
    [10, 5],
    [11, 5],
    [49, 5],
    [50, 10],
    [51, 10],
    [1000, 10],
  ];
  for (const [quantity, percent] of cases) {
    test(`${quantity} items get ${percent} %`, () => {
      assert.equal(bulkDiscountPercent(quantity), percent);
    });
  }

  test("the tiers are frozen, the largest quantity first", () => {
    assert.ok(Object.isFrozen(BULK_TIERS));
    assert.deepEqual(BULK_TIERS.map((tier) => tier.minQuantity), [50, 10]);
  });
});

describe("applyDiscount", () => {
  test("keeps the price at 0 %", () => {
    assert.equal(applyDiscount(1234, 0), 1234);
  });

  test("returns a whole result as it is", () => {
    assert.equal(applyDiscount(1000, 10), 900);
  });

  test("rounds half a cent up", () => {
    assert.equal(applyDiscount(3330, 5), 3164);
    assert.equal(applyDiscount(3310, 5), 3145);
  });

  test("rounds less than half a cent down", () => {
    assert.equal(applyDiscount(1999, 5), 1899);
  });

  test("rounds more than half a cent up", () => {
    assert.equal(applyDiscount(1006, 5), 956);
  });
});

describe("lineTotal", () => {
  test("multiplies the unit price by the quantity below 10 items", () => {
    assert.equal(lineTotal(250, 3), 750);
    assert.equal(lineTotal(250, 9), 2250);
  });

  test("applies 5 % from exactly 10 items", () => {
    assert.equal(lineTotal(200, 10), 1900);
  });

  test("applies 10 % from exactly 50 items", () => {
    assert.equal(lineTotal(100, 50), 4500);
  });

  test("rounds the discounted price to the nearest cent", () => {
    assert.equal(lineTotal(333, 10), 3164);
    assert.equal(lineTotal(333, 50), 14985);
  });

  test("allows free items", () => {
    assert.equal(lineTotal(0, 4), 0);
  });

  test("allows a single item", () => {
    assert.equal(lineTotal(250, 1), 250);
  });

  for (const quantity of [0, -1, 1.5, Number.NaN, "2"]) {
    test(`rejects the quantity ${String(quantity)}`, () => {
      assert.throws(() => lineTotal(250, quantity), RangeError);
    });
  }

  for (const unitCents of [-1, 2.5, Number.NaN, "250"]) {
    test(`rejects the unit price ${String(unitCents)}`, () => {
      assert.throws(() => lineTotal(unitCents, 2), RangeError);
    });
  }
});

describe("orderTotal", () => {
  test("costs 0 for an empty order", () => {
    assert.equal(orderTotal([]), 0);
  });

  test("adds the line totals, each with its own discount", () => {
    const lines = [
      { unitCents: 250, quantity: 12 },
      { unitCents: 99, quantity: 2 },
      { unitCents: 100, quantity: 50 },
    ];
    assert.equal(orderTotal(lines), 2850 + 198 + 4500);
  });

  test("does not add up quantities across lines for the discount", () => {
    const lines = [
      { unitCents: 100, quantity: 5 },
      { unitCents: 100, quantity: 5 },
    ];
    assert.equal(orderTotal(lines), 1000);
  });

  test("rejects a value that is not an array", () => {
    assert.throws(() => orderTotal({ unitCents: 1, quantity: 1 }), TypeError);
    assert.throws(() => orderTotal(undefined), TypeError);
  });

  test("rejects an invalid line", () => {
    assert.throws(() => orderTotal([{ unitCents: 100, quantity: 0 }]), RangeError);
  });
});
