// The cart service's client: every operation of openapi.yaml as a method, typed from it
// (openapi-typescript), sent through openapi-fetch, with the service's protocol inside:
// an Idempotency-Key per change, reused on every retry of it; retries only where they are
// safe; a 202 answered by reading the cart; ETags per cart; tokens per caller.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";
import { Protocol, type RetryPolicy, type TokenStore, MemoryTokenStore } from "./protocol.js";

export { MemoryTokenStore, LocalStorageTokenStore } from "./protocol.js";
export type { RetryPolicy, TokenStore } from "./protocol.js";
export { CartError, CartChangedError } from "./errors.js";
export type { ProblemCode } from "./errors.js";

type Schemas = components["schemas"];
export type Cart = Schemas["Cart"];
export type CreatedCart = Schemas["CreatedCart"];
export type CartsPage = Schemas["CartsPage"];
export type Problem = Schemas["Problem"];
export type AddItem = Schemas["AddItemRequest"];
export type ItemOperation = Schemas["ChangeItemsRequest"]["operations"][number];
export type CartUpdate = Schemas["UpdateCartRequest"];
export type Merge = Schemas["MergeRequest"];

export interface CartClientOptions {
  /** The API's address: `http://127.0.0.1:8000`, or a stage's. */
  baseUrl: string;
  /** In shopper mode, the signed-in shopper's ID token: asked for again once after a 401. */
  shopperToken?: () => string | undefined | Promise<string | undefined>;
  /** Where guests' cart tokens are kept (in memory by default; LocalStorageTokenStore). */
  cartTokens?: TokenStore;
  retry?: Partial<RetryPolicy>;
  /** The fetch to send with (the platform's by default). */
  fetch?: typeof fetch;
}

/** A change may ask that it apply only to the cart as last seen (If-Match: its ETag). */
export interface ChangeOptions {
  ifUnchanged?: boolean;
}

export class CartClient {
  private readonly protocol: Protocol;
  private readonly api;

  constructor(options: CartClientOptions) {
    this.protocol = new Protocol({
      tokens: options.cartTokens ?? new MemoryTokenStore(),
      shopperToken: options.shopperToken,
      retry: options.retry,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    });
    this.api = createClient<paths>({ baseUrl: options.baseUrl, fetch: this.protocol.fetch });
    this.protocol.readCart = (cartId) => this.getCart(cartId);
  }

  /** A new cart: a shopper's, a guest's (its cart token kept) or, trusted, a customer's. */
  async createCart(body: Partial<Schemas["CreateCartRequest"]> = {}): Promise<CreatedCart> {
    // The service's currency is USD unless the body names one.
    const request = body as Schemas["CreateCartRequest"];
    const created = await this.protocol.change(null, {}, (headers) =>
      this.api.POST("/carts", { body: request, headers }),
    );
    if (created.cartToken) await this.protocol.keepToken(created.cartId, created.cartToken);
    return created;
  }

  getCart(cartId: string): Promise<Cart> {
    return this.protocol.read(cartId, (headers) =>
      this.api.GET("/carts/{cartId}", { params: { path: { cartId } }, headers }),
    );
  }

  addItem(cartId: string, item: AddItem, options: ChangeOptions = {}): Promise<Cart> {
    return this.protocol.change(cartId, options, (headers) =>
      this.api.POST("/carts/{cartId}/items", { params: { path: { cartId } }, body: item, headers }),
    );
  }

  /** A line's quantity (0 removes it), and its attributes if given (they replace its own). */
  setQuantity(
    cartId: string,
    productId: string,
    quantity: number,
    options: ChangeOptions & { attributes?: Schemas["LineAttributes"] } = {},
  ): Promise<Cart> {
    const body = options.attributes ? { quantity, attributes: options.attributes } : { quantity };
    return this.protocol.change(cartId, options, (headers) =>
      this.api.PUT("/carts/{cartId}/items/{productId}", {
        params: { path: { cartId, productId } },
        body,
        headers,
      }),
    );
  }

  removeItem(cartId: string, productId: string, options: ChangeOptions = {}): Promise<Cart> {
    return this.protocol.change(cartId, options, (headers) =>
      this.api.DELETE("/carts/{cartId}/items/{productId}", {
        params: { path: { cartId, productId } },
        headers,
      }),
    );
  }

  changeItems(cartId: string, operations: ItemOperation[], options: ChangeOptions = {}): Promise<Cart> {
    return this.protocol.change(cartId, options, (headers) =>
      this.api.PATCH("/carts/{cartId}/items", {
        params: { path: { cartId } },
        body: { operations },
        headers,
      }),
    );
  }

  updateCart(cartId: string, update: CartUpdate, options: ChangeOptions = {}): Promise<Cart> {
    return this.protocol.change(cartId, options, (headers) =>
      this.api.PATCH("/carts/{cartId}", { params: { path: { cartId } }, body: update, headers }),
    );
  }

  applyDiscountCode(cartId: string, code: string, options: ChangeOptions = {}): Promise<Cart> {
    return this.protocol.change(cartId, options, (headers) =>
      this.api.POST("/carts/{cartId}/discount-codes", {
        params: { path: { cartId } },
        body: { code },
        headers,
      }),
    );
  }

  removeDiscountCode(cartId: string, code: string, options: ChangeOptions = {}): Promise<Cart> {
    return this.protocol.change(cartId, options, (headers) =>
      this.api.DELETE("/carts/{cartId}/discount-codes/{code}", {
        params: { path: { cartId, code } },
        headers,
      }),
    );
  }

  /** Move the source cart's lines into the target. A guest's cart whose token this client
   * keeps is proven with it (signing in keeps the guest's cart), and forgotten once merged. */
  async mergeCarts(targetCartId: string, merge: Merge, options: ChangeOptions = {}): Promise<Cart> {
    const sourceCartToken = merge.sourceCartToken ?? (await this.protocol.tokenOf(merge.sourceCartId));
    const body = sourceCartToken ? { ...merge, sourceCartToken } : merge;
    const merged = await this.protocol.change(targetCartId, options, (headers) =>
      this.api.POST("/carts/{cartId}/merge", { params: { path: { cartId: targetCartId } }, body, headers }),
    );
    await this.protocol.forgetToken(merge.sourceCartId);
    return merged;
  }

  checkout(cartId: string, body: { acceptPriceChanges?: boolean } = {}, options: ChangeOptions = {}): Promise<Cart> {
    return this.protocol.change(cartId, options, (headers) =>
      this.api.POST("/carts/{cartId}/checkout", { params: { path: { cartId } }, body, headers }),
    );
  }

  async deleteCart(cartId: string, options: ChangeOptions = {}): Promise<void> {
    await this.protocol.change(cartId, options, (headers) =>
      this.api.DELETE("/carts/{cartId}", { params: { path: { cartId } }, headers }),
    );
    await this.protocol.forgetToken(cartId);
  }

  /** The signed-in shopper's carts, newest first, a page at a time. */
  listMyCarts(query: { limit?: number; nextToken?: string } = {}): Promise<CartsPage> {
    return this.protocol.read(null, (headers) => this.api.GET("/me/carts", { params: { query }, headers }));
  }

  /** A customer's carts (a trusted backend's). */
  listCustomerCarts(customerId: string, query: { limit?: number; nextToken?: string } = {}): Promise<CartsPage> {
    return this.protocol.read(null, (headers) =>
      this.api.GET("/customers/{customerId}/carts", { params: { path: { customerId }, query }, headers }),
    );
  }

  /** The cart's ETag as last seen (what `ifUnchanged` sends). */
  etagOf(cartId: string): string | undefined {
    return this.protocol.etagOf(cartId);
  }
}
