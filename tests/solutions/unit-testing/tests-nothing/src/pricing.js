// Prices of an order. Every amount is a whole number of cents.

// Bulk discount tiers for one order line, the largest quantity first.
export const BULK_TIERS = Object.freeze([
  Object.freeze({ minQuantity: 50, percent: 10 }),
  Object.freeze({ minQuantity: 10, percent: 5 }),
]);

// Returns the bulk discount in percent for a line of `quantity` items:
// 10 from 50 items, 5 from 10 items, else 0.
export function bulkDiscountPercent(quantity) {
  for (const tier of BULK_TIERS) {
    if (quantity >= tier.minQuantity) {
      return tier.percent;
    }
  }
  return 0;
}

// Returns `cents` less `percent` percent, rounded to the nearest cent (a half cent up).
export function applyDiscount(cents, percent) {
  return Math.floor((cents * (100 - percent) + 50) / 100);
}

// Returns the price of `quantity` items at `unitCents` each, after the bulk discount.
// Throws a RangeError when unitCents is not a whole number >= 0
// or quantity is not a whole number >= 1.
export function lineTotal(unitCents, quantity) {
  if (!Number.isInteger(unitCents) || unitCents < 0) {
    throw new RangeError(`unitCents must be a whole number >= 0, got ${unitCents}`);
  }
  if (!Number.isInteger(quantity) || quantity < 1) {
    throw new RangeError(`quantity must be a whole number >= 1, got ${quantity}`);
  }
  return applyDiscount(unitCents * quantity, bulkDiscountPercent(quantity));
}

// Returns the total of an order: the sum of lineTotal over its lines,
// each { unitCents, quantity }. An empty order costs 0.
// Throws a TypeError when lines is not an array, and a RangeError as lineTotal does.
export function orderTotal(lines) {
  if (!Array.isArray(lines)) {
    throw new TypeError("lines must be an array");
  }
  let total = 0;
  for (const line of lines) {
    total += lineTotal(line.unitCents, line.quantity);
  }
  return total;
}
