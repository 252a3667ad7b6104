// A 503 with Retry-After waited out: the end-to-end suite arms its fault proxy to throttle
// every DynamoDB attempt of the first add of FAULT_PRODUCT (the service answers 503,
// Retry-After 1), then lets the next through.
import assert from "node:assert/strict";
import { test } from "node:test";

import { client, recordingFetch } from "./support.mjs";

test("a 503 with Retry-After is waited out, and the change applied once", async () => {
  const recorder = recordingFetch();
  const carts = client({ fetch: recorder.fetch });
  const { cartId } = await carts.createCart({ customerId: "js-faults" });
  const started = Date.now();
  const view = await carts.addItem(cartId, { productId: process.env.FAULT_PRODUCT, quantity: 1 });
  assert.ok(Date.now() - started >= 1000, "waited Retry-After");
  assert.equal(view.items[0].quantity, 1);
  const adds = recorder.sent.filter((request) => request.path.endsWith("/items"));
  assert.equal(adds.length, 2);
  assert.equal(adds[0].headers["idempotency-key"], adds[1].headers["idempotency-key"]);
});
