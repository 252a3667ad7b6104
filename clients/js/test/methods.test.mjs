// Every method against a real stack as a trusted backend sees it (no tokens), and the
// protocol where a network or the service answers otherwise than plainly.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";

import { CartChangedError, CartError } from "../dist/index.js";
import { client, recordingFetch } from "./support.mjs";

const customerId = () => `js-${randomUUID().slice(0, 8)}`;

test("every method answers as the API does", async () => {
  const carts = client();
  const customer = customerId();
  const cart = await carts.createCart({ customerId: customer });
  assert.equal(cart.status, "ACTIVE");
  const { cartId } = cart;
  let view = await carts.addItem(cartId, { productId: "ESP-1KG", quantity: 2 });
  assert.equal(view.totalAmount, "39.98");
  view = await carts.setQuantity(cartId, "ESP-1KG", 3);
  assert.equal(view.items[0].quantity, 3);
  view = await carts.changeItems(cartId, [
    { op: "add", productId: "FILTER-100", quantity: 1 },
    { op: "add", productId: "MUG-CER", quantity: 1 },
  ]);
  assert.deepEqual(view.items.map((line) => line.productId), ["ESP-1KG", "FILTER-100", "MUG-CER"]);
  view = await carts.removeItem(cartId, "MUG-CER");
  assert.equal(view.items.length, 2);
  view = await carts.updateCart(cartId, { note: "Leave it by the door" });
  assert.equal(view.note, "Leave it by the door");
  view = await carts.applyDiscountCode(cartId, "WELCOME10");
  assert.equal(view.discounts[0].code, "WELCOME10");
  view = await carts.removeDiscountCode(cartId, "WELCOME10");
  assert.equal(view.discountCodes.length, 0);
  assert.deepEqual(await carts.getCart(cartId), view);

  const other = await carts.createCart({ customerId: customer });
  await carts.addItem(other.cartId, { productId: "SCALE-01", quantity: 1 });
  view = await carts.mergeCarts(cartId, { sourceCartId: other.cartId });
  assert.equal(view.items.length, 3);
  const page = await carts.listCustomerCarts(customer);
  assert.deepEqual(page.carts.map((summary) => summary.cartId), [cartId]);
  view = await carts.checkout(cartId);
  assert.equal(view.status, "CHECKED_OUT");

  const gone = await carts.createCart({ customerId: customer });
  assert.equal(await carts.deleteCart(gone.cartId), undefined);
  await assert.rejects(carts.getCart(gone.cartId), (error) => error instanceof CartError && error.code === "CART_NOT_FOUND" && error.status === 404);
});

test("a refusal is a CartError with the problem's code, and 412 carries the cart", async () => {
  const carts = client();
  const { cartId } = await carts.createCart({ customerId: customerId() });
  await assert.rejects(carts.addItem(cartId, { productId: "NO-SUCH-THING", quantity: 1 }), (error) => {
    assert.ok(error instanceof CartError);
    assert.equal(error.code, "PRODUCT_NOT_FOUND");
    assert.equal(error.problem.status, 400);
    return true;
  });
  await carts.addItem(cartId, { productId: "ESP-1KG", quantity: 1 }); // this client's ETag: "2"
  await client().addItem(cartId, { productId: "ESP-1KG", quantity: 1 }); // another's change
  await assert.rejects(carts.addItem(cartId, { productId: "ESP-1KG", quantity: 1 }, { ifUnchanged: true }), (error) => {
    assert.ok(error instanceof CartChangedError);
    assert.equal(error.code, "PRECONDITION_FAILED");
    assert.equal(error.cart.items[0].quantity, 2);
    return true;
  });
  assert.equal(carts.etagOf(cartId), '"3"');
  const view = await carts.addItem(cartId, { productId: "ESP-1KG", quantity: 1 }, { ifUnchanged: true });
  assert.equal(view.items[0].quantity, 3);
});

test("an answer lost after the change committed is retried with its key and applied once", async () => {
  const lossy = recordingFetch({ lose: (request) => request.method === "POST" && request.url.endsWith("/items") });
  const carts = client({ fetch: lossy.fetch });
  const { cartId } = await carts.createCart({ customerId: customerId() });
  const view = await carts.addItem(cartId, { productId: "ESP-1KG", quantity: 1 });
  assert.equal(view.items[0].quantity, 1);
  assert.equal(carts.etagOf(cartId), '"2"'); // the cart's version moved once
  const adds = lossy.sent.filter((request) => request.path.endsWith("/items"));
  assert.equal(adds.length, 2);
  assert.equal(adds[0].headers["idempotency-key"], adds[1].headers["idempotency-key"]);
});

test("a 202 resolves with the cart as read afterwards", async () => {
  const applied = async (request) => {
    const response = await fetch(request);
    if (request.method !== "POST" || !request.url.endsWith("/items")) return response;
    const { cartId } = await response.json();
    return new Response(JSON.stringify({ cartId, applied: true }), { status: 202, headers: { "Content-Type": "application/json" } });
  };
  const carts = client({ fetch: applied });
  const { cartId } = await carts.createCart({ customerId: customerId() });
  const view = await carts.addItem(cartId, { productId: "ESP-1KG", quantity: 2 });
  assert.equal(view.items[0].quantity, 2);
  assert.equal(view.totalAmount, "39.98");
});
