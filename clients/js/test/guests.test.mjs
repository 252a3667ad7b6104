// Shopper mode: guests' cart tokens, kept by the client and sent only for their own carts;
// a shopper's token, asked for again after a 401; signing in with one call; a code limit's
// 429 raised at once. Against a stack in shopper mode (SHOPPER_TOKEN: a valid token).
import assert from "node:assert/strict";
import { test } from "node:test";

import { CartError, MemoryTokenStore } from "../dist/index.js";
import { client, recordingFetch } from "./support.mjs";

test("a guest's token is sent with its own cart's requests only", async () => {
  const recorder = recordingFetch();
  const carts = client({ fetch: recorder.fetch });
  const first = await carts.createCart();
  const second = await carts.createCart();
  assert.ok(first.cartToken && second.cartToken && first.cartToken !== second.cartToken);
  await carts.addItem(first.cartId, { productId: "ESP-1KG", quantity: 1 });
  await carts.addItem(second.cartId, { productId: "MUG-CER", quantity: 1 });
  const stranger = client(); // holds no token for these carts
  await assert.rejects(stranger.getCart(first.cartId), (error) => error instanceof CartError && error.status === 401);
  for (const request of recorder.sent.filter((sent) => sent.path.startsWith("/carts/"))) {
    const cartId = request.path.split("/")[2];
    const token = cartId === first.cartId ? first.cartToken : second.cartToken;
    assert.equal(request.headers.authorization, `Bearer ${token}`, request.path);
  }
});

test("signing in merges the guest's cart in one call, and a stale shopper token is asked again", async () => {
  const tokens = new MemoryTokenStore();
  const guest = client({ cartTokens: tokens });
  const guestCart = await guest.createCart();
  await guest.addItem(guestCart.cartId, { productId: "ESP-1KG", quantity: 2 });
  let asked = 0;
  const shopper = client({
    cartTokens: tokens, // the same browser: the guest's token is kept
    shopperToken: () => (asked++ === 0 ? "expired.token.value" : process.env.SHOPPER_TOKEN),
  });
  const mine = await shopper.createCart();
  assert.equal(asked, 2); // refused once, asked again
  const merged = await shopper.mergeCarts(mine.cartId, { sourceCartId: guestCart.cartId });
  assert.deepEqual(merged.items.map((line) => [line.productId, line.quantity]), [["ESP-1KG", 2]]);
  assert.equal(await tokens.get(guestCart.cartId), undefined); // merged: forgotten
  const page = await shopper.listMyCarts();
  assert.ok(page.carts.some((summary) => summary.cartId === mine.cartId));
});

test("a code limit's 429 is raised at once, not waited out to the hour's end", async () => {
  const carts = client();
  const { cartId } = await carts.createCart();
  const started = Date.now();
  let refused;
  for (let n = 0; n < 11 && !refused; n += 1) {
    try {
      await carts.applyDiscountCode(cartId, `GUESS${n}`);
    } catch (error) {
      if (error.code === "TOO_MANY_ATTEMPTS") refused = error;
      else assert.equal(error.code, "DISCOUNT_CODE_INVALID");
    }
  }
  assert.ok(refused instanceof CartError);
  assert.equal(refused.status, 429);
  assert.ok(Date.now() - started < 5000);
});
