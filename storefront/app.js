// The demo storefront: a product grid and a cart panel, all state in the cart service.
// The page never computes money: it shows the amounts the API returns, as it returns them.
//
// Access (shopper mode): a guest's cart comes with a cart token, which the client keeps and
// sends on every call for that cart. "Sign in" gets a shopper token (here from the local
// issuer; a real shop from its identity provider), finds or creates the shopper's own cart
// and merges the guest cart into it (the client proves it with the cart token).

import { CartChangedError, CartClient, LocalStorageTokenStore } from "./cart-client.js";
import { fillCountries, formAddress, renderDelivery } from "./delivery.js";

const CART_KEY = "demo-shop-cart"; // the guest's cart id (the client keeps its token)
const CURRENCY_KEY = "demo-shop-currency"; // the currency the visitor shops in
const SHOPPER_KEY = "demo-shop-shopper"; // the signed-in shopper's token
const SHOPPER_CART_KEY = "demo-shop-shopper-cart"; // the signed-in shopper's cart id
const MESSAGES = {
  INVALID_JSON: "The shop sent a malformed request.",
  VALIDATION_ERROR: "That request was not valid.",
  PRODUCT_NOT_FOUND: "That product is no longer sold.",
  CURRENCY_MISMATCH: "That product is priced in another currency than your cart.",
  QUANTITY_LIMIT: "You can have at most 999 of one product.",
  LINE_LIMIT: "Your cart can hold at most 100 different products.",
  CART_TOO_LARGE: "Your cart has no room for more notes or options; shorten some first.",
  CART_NOT_FOUND: "Your cart has expired; a new one will be started.",
  ITEM_NOT_FOUND: "That line is no longer in your cart.",
  CONFLICT: "Your cart was busy; please try again.",
  CART_NOT_ACTIVE: "This cart has been checked out and can no longer change.",
  PRECONDITION_FAILED: "Your cart changed in another tab; it has been refreshed.",
  IDEMPOTENCY_KEY_REUSED: "That request was already used for something else.",
  PRODUCTS_UNAVAILABLE: "Some products are no longer available.",
  CART_EMPTY: "Your cart is empty.",
  UNSUPPORTED_MEDIA_TYPE: "The shop sent a request the cart service does not read.",
  METHOD_NOT_ALLOWED: "The shop made a request the cart service does not offer.",
  SERVICE_UNAVAILABLE: "The cart service is busy; please try again in a moment.",
  INTERNAL_ERROR: "Something went wrong on our side; please try again.",
  UNAUTHORIZED: "Your session has ended; please sign in again.",
  FORBIDDEN: "That is not yours to change.",
  NOT_FOUND: "The shop asked for something the cart service does not have.",
  CART_LIMIT: "You have too many open carts; check one out or delete one first.",
  PAYLOAD_TOO_LARGE: "The shop sent a request that is too large.",
  TOO_MANY_REQUESTS: "The cart service is busy; please try again in a moment.",
  INSUFFICIENT_STOCK: "We do not have enough of some products; lower the quantities.",
  STOCK_NOT_COUNTED: "The shop's stock of that product is not counted.",
  CHECKOUT_TOO_LARGE: "Too many limited products changed at once; change fewer at a time.",
  PRICE_CHANGED: "Some prices went up since you added them; check them and check out again.",
  DISCOUNT_CODE_INVALID: "That discount code cannot be used on this cart.",
  DISCOUNT_CODE_NOT_FOUND: "That discount code is not on your cart.",
  TOO_MANY_ATTEMPTS: "Too many codes were tried; please wait a while before trying another.",
  UNDELIVERABLE: "We do not deliver to that address; choose another country.",
  DELIVERY_OPTION_UNAVAILABLE: "That delivery option is not offered at your address.",
};

// Why a discount code cannot be used (the problem's `reason`), in the shopper's words.
const REASONS = {
  UNKNOWN: "We do not know that discount code.",
  EXPIRED: "That discount code has expired.",
  USED_UP: "That discount code has been used up.",
  MIN_SUBTOTAL: "Your cart does not reach that code's minimum yet.",
  NOT_APPLICABLE: "That code is for products that are not in your cart.",
  CURRENCY: "That code is for another currency.",
  TOO_MANY: "You can use at most 5 discount codes.",
  SIGN_IN_REQUIRED: "Sign in to use that discount code.",
};

const config = await (await fetch("config.json")).json();
const catalog = await (await fetch("catalog.json")).json();
let cart = null; // the cart view, as the API returned it

// The official client (clients/js, bundled): it keeps the guest's cart token and sends it
// only for that cart, sends a key with every change and retries only what is safe, tracks
// each cart's ETag (If-Match when a change says ifUnchanged), and answers a 202 by reading
// the cart. Refusals are CartErrors with the problem's code.
const tokens = new LocalStorageTokenStore(); // guests' cart tokens, by cart id
const carts = new CartClient({
  baseUrl: config.api,
  cartTokens: tokens,
  shopperToken: () => sessionStorage.getItem(SHOPPER_KEY) ?? undefined,
});

function show(view) {
  cart = view;
  render();
}

function say(error) {
  const box = document.querySelector("#message");
  if (!error) {
    box.hidden = true;
    return;
  }
  const reason = error.problem?.reason;
  box.textContent = REASONS[reason] || MESSAGES[error.code] || "The cart service could not be reached.";
  box.dataset.code = error.code || "NETWORK";
  if (reason) box.dataset.reason = reason;
  else delete box.dataset.reason;
  box.hidden = false;
}

// The cart this page works on: the signed-in shopper's, or the guest's.
function currentCartId() {
  return sessionStorage.getItem(SHOPPER_KEY) ? sessionStorage.getItem(SHOPPER_CART_KEY) : localStorage.getItem(CART_KEY);
}

async function loadCart() {
  const id = currentCartId();
  if (!id) return show(null);
  try {
    show(await carts.getCart(id));
  } catch (error) {
    if (error.code === "CART_NOT_FOUND") forgetCart();
    else if (error.code === "UNAUTHORIZED") signOut();
    else say(error);
    show(null);
  }
}

function forgetCart() {
  if (sessionStorage.getItem(SHOPPER_KEY)) sessionStorage.removeItem(SHOPPER_CART_KEY);
  else localStorage.removeItem(CART_KEY);
}

// The currency new carts are made in: the cart's own once there is one.
function shopCurrency() {
  return cart?.currency || localStorage.getItem(CURRENCY_KEY) || "USD";
}

async function cartId() {
  if (cart) return cart.cartId;
  const { cartToken, ...created } = await carts.createCart({ currency: shopCurrency() });
  if (cartToken) localStorage.setItem(CART_KEY, created.cartId);
  else sessionStorage.setItem(SHOPPER_CART_KEY, created.cartId);
  show(created);
  return created.cartId;
}

// Signing in keeps the guest's cart: the shopper's newest active cart (or a new one) takes
// its lines, in one call (the client proves the guest cart is this visitor's).
const signIn = () =>
  act(async () => {
    const { token } = await (await fetch("demo-token")).json();
    sessionStorage.setItem(SHOPPER_KEY, token);
    const page = await carts.listMyCarts({ limit: 20 });
    let mine = page.carts.find((summary) => summary.status === "ACTIVE")?.cartId;
    if (!mine) mine = (await carts.createCart({ currency: shopCurrency() })).cartId;
    sessionStorage.setItem(SHOPPER_CART_KEY, mine);
    const guest = localStorage.getItem(CART_KEY);
    if (guest) {
      const merged = await carts.mergeCarts(mine, { sourceCartId: guest });
      localStorage.removeItem(CART_KEY);
      return show(merged);
    }
    show(await carts.getCart(mine));
  });

function signOut() {
  sessionStorage.removeItem(SHOPPER_KEY);
  sessionStorage.removeItem(SHOPPER_CART_KEY);
  show(null);
}

async function act(work) {
  say(null);
  document.body.dataset.busy = "true"; // until the change is answered (tests wait on it)
  document.querySelectorAll("button").forEach((button) => (button.disabled = true));
  try {
    await work();
  } catch (error) {
    say(error);
    if (error.code === "UNAUTHORIZED") signOut();
    if (error instanceof CartChangedError) cart = error.cart; // changed elsewhere: as it is now
    else if (["CART_NOT_FOUND", "ITEM_NOT_FOUND"].includes(error.code)) await loadCart();
  } finally {
    delete document.body.dataset.busy;
    render();
  }
}

const add = (productId) =>
  act(async () => {
    const id = await cartId();
    show(await carts.addItem(id, { productId, quantity: 1 }));
  });

const setQuantity = (productId, quantity) =>
  act(async () => {
    show(await carts.setQuantity(cart.cartId, productId, quantity, { ifUnchanged: true }));
  });

// The brew kit: three products in one batch, one change (all of them or none).
const BREW_KIT = ["ESP-1KG", "FILTER-100", "MUG-CER"];
const buyBundle = () =>
  act(async () => {
    const id = await cartId();
    const operations = BREW_KIT.map((productId) => ({ op: "add", productId, quantity: 1 }));
    show(await carts.changeItems(id, operations, { ifUnchanged: true }));
  });

// A line option: gift wrap, kept as the line's attributes.
const giftWrap = (line, wrapped) =>
  act(async () => {
    const attributes = wrapped ? { ...line.attributes, giftWrap: "yes" } : {};
    const options = { attributes, ifUnchanged: true };
    show(await carts.setQuantity(cart.cartId, line.productId, line.quantity, options));
  });

const saveNote = (note) =>
  act(async () => {
    show(await carts.updateCart(cart.cartId, { note }, { ifUnchanged: true }));
  });

// Where the cart goes, and how: the API answers with the options, the tax and the total.
const setAddress = (deliveryAddress) =>
  act(async () => {
    const id = await cartId();
    show(await carts.updateCart(id, { deliveryAddress }, { ifUnchanged: true }));
  });

const chooseDelivery = (deliveryOptionId) =>
  act(async () => {
    show(await carts.updateCart(cart.cartId, { deliveryOptionId }, { ifUnchanged: true }));
  });

// Another currency: an empty cart is left behind (it expires), the next one is made in it.
function chooseCurrency(currency) {
  localStorage.setItem(CURRENCY_KEY, currency);
  if (cart && cart.items.length === 0) {
    forgetCart();
    show(null);
  }
  render();
}

const applyCode = (code) =>
  act(async () => {
    const view = await carts.applyDiscountCode(cart.cartId, code, { ifUnchanged: true });
    document.querySelector("#code").value = "";
    show(view);
  });

const removeCode = (code) =>
  act(async () => {
    show(await carts.removeDiscountCode(cart.cartId, code, { ifUnchanged: true }));
  });

const remove = (productId) =>
  act(async () => {
    show(await carts.removeItem(cart.cartId, productId, { ifUnchanged: true }));
  });

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function checkbox(checked, onchange, label) {
  const box = element("input", { type: "checkbox", "aria-label": label });
  box.checked = checked;
  box.addEventListener("change", () => onchange(box.checked));
  return box;
}

function renderProducts() {
  document.querySelector("#products").replaceChildren(
    ...catalog.map((product) =>
      element(
        "li",
        { class: "product", "data-product": product.productId },
        element("span", { class: "name" }, product.name),
        element("span", { class: "price" }, `${product.unitPrice} ${product.currency}`),
        element("button", { onclick: () => add(product.productId), "aria-label": `Add ${product.name} to cart` }, "Add to cart"),
      ),
    ),
  );
}

// What the cart says the shopper should know: a price that changed since the line was added
// (old and new), a product gone, too little stock.
function warningText(warning) {
  if (warning.code === "UNDELIVERABLE") return "We do not deliver to that address; choose another country.";
  if (warning.code === "TAX_ESTIMATED") return "The tax shown is an estimate.";
  const name = cart.items.find((line) => line.productId === warning.productId)?.name || warning.productId;
  if (warning.code === "PRICE_CHANGED") {
    return `${name}: the price changed from ${warning.previousUnitPrice} to ${warning.unitPrice} ${cart.currency}`;
  }
  if (warning.code === "INSUFFICIENT_STOCK") return `${name}: only ${warning.available} left`;
  if (warning.code === "HOLD_EXPIRED") return `${name}: no longer held for you; checkout takes it if some are left`;
  return `${name} is no longer available`;
}

// A held line's countdown: "Held for you 14:59", ticking each second until the hold lapses
// (the next read of the cart then shows HOLD_EXPIRED).
function heldText(until) {
  const seconds = Math.max(0, Math.floor((Date.parse(until) - Date.now()) / 1000));
  if (!seconds) return "Hold lapsed";
  const clock = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  return `Held for you ${clock}`;
}

setInterval(() => {
  for (const held of document.querySelectorAll(".held")) held.textContent = heldText(held.dataset.until);
}, 1000);

function render() {
  const lines = cart ? cart.items : [];
  document.querySelector("#warnings").replaceChildren(
    ...(cart ? cart.warnings : []).map((warning) =>
      element("li", { class: "warning", "data-code": warning.code, "data-product": warning.productId }, warningText(warning)),
    ),
  );
  document.querySelector("#empty").hidden = lines.length > 0;
  document.querySelector("#lines").replaceChildren(
    ...lines.map((line) =>
      element(
        "li",
        { class: "line", "data-product": line.productId, "data-quantity": line.quantity },
        element("span", { class: "name" }, line.name),
        element(
          "span",
          { class: "line-total" },
          line.available ? `${line.lineTotal} ${cart.currency}` : "",
        ),
        element(
          "span",
          { class: "stepper" },
          element("button", { class: "secondary", onclick: () => setQuantity(line.productId, line.quantity - 1), "aria-label": `One less ${line.name}` }, "−"),
          element("span", { class: "quantity" }, String(line.quantity)),
          element("button", { class: "secondary", onclick: () => setQuantity(line.productId, line.quantity + 1), "aria-label": `One more ${line.name}` }, "+"),
          element("button", { class: "secondary", onclick: () => remove(line.productId), "aria-label": `Remove ${line.name}` }, "Remove"),
        ),
        line.available
          ? element("span", { class: "unit-price" }, `${line.unitPrice} each`)
          : element("span", { class: "unavailable" }, "No longer available"),
        line.heldUntil ? element("span", { class: "held", "data-until": line.heldUntil }, heldText(line.heldUntil)) : "",
        element(
          "label",
          { class: "gift" },
          checkbox(line.attributes.giftWrap === "yes", (checked) => giftWrap(line, checked), `Gift wrap ${line.name}`),
          " Gift wrap",
        ),
      ),
    ),
  );
  document.querySelector("#item-count").textContent = cart ? String(cart.itemCount) : "0";
  document.querySelector("#subtotal").textContent = cart ? `${cart.subtotalAmount} ${cart.currency}` : "–";
  document.querySelector("#discounts").replaceChildren(
    ...(cart ? cart.discounts : []).map((discount) =>
      element(
        "li",
        { class: "discount", "data-promotion": discount.promotionId },
        element("span", {}, discount.title),
        element("span", { class: "amount" }, `−${discount.amount} ${cart.currency}`),
      ),
    ),
  );
  renderDelivery(cart, element, chooseDelivery);
  document.querySelector("#total").textContent = cart ? `${cart.totalAmount} ${cart.currency}` : "–";
  const currency = document.querySelector("#currency");
  currency.value = shopCurrency();
  currency.disabled = Boolean(cart && cart.items.length > 0); // a cart keeps its currency
  // "Spend X more": an automatic promotion the subtotal does not reach yet.
  const [nearest] = cart ? cart.approachingDiscounts : [];
  const hint = document.querySelector("#approaching");
  hint.hidden = !nearest || cart.items.length === 0;
  hint.textContent = nearest ? `Spend ${nearest.amountRemaining} ${cart.currency} more: ${nearest.title}` : "";
  document.querySelector("#code-form").hidden = !cart || cart.status !== "ACTIVE";
  document.querySelector("#codes").replaceChildren(
    ...(cart ? cart.discountCodes : []).map((code) =>
      element(
        "li",
        { "data-code": code },
        element("code", {}, code),
        cart.discounts.some((discount) => discount.code === code) ? "" : element("span", { class: "idle" }, "(not applying now)"),
        element("button", { class: "secondary", onclick: () => removeCode(code), "aria-label": `Remove code ${code}` }, "Remove"),
      ),
    ),
  );
  document.querySelector("#cart-id").textContent = cart ? cart.cartId : "none yet";
  const noteForm = document.querySelector("#note-form");
  noteForm.hidden = !cart || cart.status !== "ACTIVE";
  if (cart && document.activeElement !== document.querySelector("#note")) {
    document.querySelector("#note").value = cart.note || "";
  }
  const signedIn = Boolean(sessionStorage.getItem(SHOPPER_KEY));
  document.querySelector("#who").textContent = signedIn ? "Signed in as the demo shopper" : "Shopping as a guest";
  document.querySelector("#sign-in").hidden = signedIn || !config.signIn;
  document.querySelector("#sign-out").hidden = !signedIn;
  document.querySelectorAll("button").forEach((button) => (button.disabled = false));
  document.body.dataset.ready = "true";
}

document.querySelector("#sign-in").addEventListener("click", signIn);
document.querySelector("#currency").replaceChildren(
  ...[...new Set(catalog.map((product) => product.currency))].map((code) => new Option(code, code)),
);
document.querySelector("#currency").addEventListener("change", (event) => chooseCurrency(event.target.value));
fillCountries(document.querySelector("#country"));
document.querySelector("#address-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const value = (selector) => document.querySelector(selector).value;
  setAddress(formAddress(value("#country"), value("#region"), value("#postal-code")));
});
document.querySelector("#bundle").addEventListener("click", buyBundle);
document.querySelector("#note-form").addEventListener("submit", (event) => {
  event.preventDefault();
  saveNote(document.querySelector("#note").value);
});
document.querySelector("#code-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const code = document.querySelector("#code").value.trim();
  if (code) applyCode(code);
});
document.querySelector("#sign-out").addEventListener("click", () => { signOut(); loadCart(); });
// A cart handed over by an agent (UCP's continue_url): `#cart=<cartId>&token=<cart token>`
// for a guest's cart. The token comes in the fragment, which the browser never sends to a
// server; it becomes this visitor's guest cart, and the fragment is removed.
function takeHandedOverCart() {
  const handed = new URLSearchParams(location.hash.slice(1));
  const id = handed.get("cart");
  const token = handed.get("token");
  if (id && token && !sessionStorage.getItem(SHOPPER_KEY)) {
    localStorage.setItem(CART_KEY, id);
    tokens.set(id, token);
  }
  if (id) history.replaceState(null, "", location.pathname + location.search);
}

takeHandedOverCart();
renderProducts();
await loadCart();
