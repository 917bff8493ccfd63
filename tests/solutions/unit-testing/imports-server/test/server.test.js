import assert from "node:assert/strict";
import { test } from "node:test";

import "../server.js";

test("GET /price returns the discounted line total", async () => {
  const response = await fetch("http://127.0.0.1:3000/price?unitCents=200&quantity=10");
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.total, 1900);
});

test("GET /price rejects a quantity of 0", async () => {
  const response = await fetch("http://127.0.0.1:3000/price?unitCents=200&quantity=0");
  assert.equal(response.status, 400);
});

test("POST /orders/total adds the discounted lines", async () => {
  const response = await fetch("http://127.0.0.1:3000/orders/total", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ lines: [{ unitCents: 100, quantity: 50 }, { unitCents: 3330, quantity: 1 }] }),
  });
  assert.equal((await response.json()).total, 4500 + 3330);
});
