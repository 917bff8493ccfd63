// Unit tests of src/pricing.js, run by `npm test` with Node's built-in test runner.
// hubgrade runs this suite against a correct copy of src/pricing.js, where it must
// pass, and against copies with planted bugs, where it must fail. See README.md.
import assert from "node:assert/strict";
import { test } from "node:test";

import { lineTotal } from "../src/pricing.js";

test("lineTotal multiplies the unit price by the quantity", () => {
  assert.equal(lineTotal(250, 3), 750);
});

// TODO: test bulkDiscountPercent, applyDiscount, the errors of lineTotal and
// orderTotal, at the edges of every rule.
