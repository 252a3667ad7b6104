// The service's protocol, as a thin layer over openapi-fetch: the fetch it sends with (safe
// retries, a shopper token asked for again after a 401) and what every call does around
// it (tokens, Idempotency-Key, If-Match, ETags, 202 and 412, problems as errors).
import type { components } from "./schema.js";
import { CartChangedError, CartError, problemOf } from "./errors.js";

type Cart = components["schemas"]["Cart"];

/** Where guests' cart tokens are kept: each sent only with its own cart's requests. */
export interface TokenStore {
  get(cartId: string): string | undefined | null | Promise<string | undefined | null>;
  set(cartId: string, token: string): void | Promise<void>;
  delete(cartId: string): void | Promise<void>;
}

export class MemoryTokenStore implements TokenStore {
  private readonly tokens = new Map<string, string>();
  get(cartId: string): string | undefined {
    return this.tokens.get(cartId);
  }
  set(cartId: string, token: string): void {
    this.tokens.set(cartId, token);
  }
  delete(cartId: string): void {
    this.tokens.delete(cartId);
  }
}

/** Cart tokens in the browser's localStorage (or any Storage), so a guest's cart outlives
 * the page. */
export class LocalStorageTokenStore implements TokenStore {
  constructor(
    private readonly storage: Pick<Storage, "getItem" | "setItem" | "removeItem"> = globalThis.localStorage,
    private readonly prefix = "cart-token:",
  ) {}
  get(cartId: string): string | null {
    return this.storage.getItem(this.prefix + cartId);
  }
  set(cartId: string, token: string): void {
    this.storage.setItem(this.prefix + cartId, token);
  }
  delete(cartId: string): void {
    this.storage.removeItem(this.prefix + cartId);
  }
}

/** When a request is sent again: a network error, or a 503 or 429 (waiting its Retry-After
 * when it says one). Never another status: a 4xx is the answer. */
export interface RetryPolicy {
  /** Sends of one request, at most (the first included). */
  attempts: number;
  /** The first wait without a Retry-After; each next one doubles, with full jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** The time one call may take, waits included: a Retry-After past it is raised at once. */
  totalMs: number;
  /** One send's time, at most: past it, it is abandoned as a network error (and retried). */
  attemptTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 100,
  maxDelayMs: 2000,
  totalMs: 15000,
  attemptTimeoutMs: 8000,
};

type Headers = Record<string, string>;
/** A 202's body: the change applied, its cart not read back. */
type Applied = { cartId: string; applied: true };
type Sent<T> = Promise<{ data?: T; error?: unknown; response: Response }>;

export interface ProtocolOptions {
  tokens: TokenStore;
  shopperToken?: () => string | undefined | Promise<string | undefined>;
  retry?: Partial<RetryPolicy>;
  fetch: typeof fetch;
}

export class Protocol {
  readonly retry: RetryPolicy;
  private readonly etags = new Map<string, string>();
  /** The cart as read now: what a 202 resolves with, and a 412 carries. */
  readCart: (cartId: string) => Promise<Cart> = () => Promise.reject(new Error("no reader"));

  constructor(private readonly options: ProtocolOptions) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  /** openapi-fetch's fetch: the request sent, and sent again while it is safe to. */
  fetch = async (request: Request): Promise<Response> => {
    const started = Date.now();
    let refreshed = false;
    for (let attempt = 1; ; attempt += 1) {
      const left = this.retry.totalMs - (Date.now() - started);
      const last = attempt >= this.retry.attempts;
      let response: Response;
      try {
        const signal = AbortSignal.timeout(this.retry.attemptTimeoutMs);
        response = await this.options.fetch(new Request(request.clone(), { signal }));
      } catch (failure) {
        const wait = this.backoff(attempt);
        if (last || wait > left) throw failure;
        await sleep(wait);
        continue;
      }
      if (response.status === 401 && this.options.shopperToken && !refreshed) {
        refreshed = true;
        const token = await this.options.shopperToken();
        if (token && request.headers.get("Authorization") !== `Bearer ${token}`) {
          request = withHeader(request, "Authorization", `Bearer ${token}`);
          continue;
        }
      }
      if (response.status === 503 || response.status === 429) {
        const wait = retryAfter(response) ?? this.backoff(attempt);
        if (!last && wait <= left) {
          await response.body?.cancel();
          await sleep(wait);
          continue;
        }
      }
      return response;
    }
  };

  /** A read: the caller's token for the cart, the answer's ETag kept. */
  async read<T>(cartId: string | null, send: (headers: Headers) => Sent<T>): Promise<T> {
    const { data, error, response } = await send(await this.auth(cartId));
    return this.answer(cartId, data, error, response);
  }

  /** A change: a new Idempotency-Key (every retry of it sends the same), If-Match when
   * asked, a 202 resolved by reading the cart, a 412 raised with the cart as it is. */
  async change<T>(
    cartId: string | null,
    options: { ifUnchanged?: boolean },
    send: (headers: Headers) => Sent<T>,
  ): Promise<Exclude<T, Applied>> {
    const headers: Headers = { ...(await this.auth(cartId)), "Idempotency-Key": crypto.randomUUID() };
    const etag = cartId ? this.etags.get(cartId) : undefined;
    if (options.ifUnchanged && etag) headers["If-Match"] = etag;
    let sent = await send(headers);
    if (sent.response.status === 202 && cartId === null) sent = await send(headers); // a create: its answer, replayed
    if (sent.response.status === 202) {
      const applied = sent.data as Applied;
      return (await this.readCart(applied.cartId)) as Exclude<T, Applied>;
    }
    return (await this.answer(cartId, sent.data, sent.error, sent.response)) as Exclude<T, Applied>;
  }

  async keepToken(cartId: string, token: string): Promise<void> {
    await this.options.tokens.set(cartId, token);
  }

  async tokenOf(cartId: string): Promise<string | undefined> {
    return (await this.options.tokens.get(cartId)) ?? undefined;
  }

  async forgetToken(cartId: string): Promise<void> {
    await this.options.tokens.delete(cartId);
  }

  etagOf(cartId: string): string | undefined {
    return this.etags.get(cartId);
  }

  /** The token for a cart's request: its own cart token (a guest's), else the shopper's. */
  private async auth(cartId: string | null): Promise<Headers> {
    const token = (cartId && (await this.tokenOf(cartId))) || (await this.options.shopperToken?.());
    return token ? { Authorization: `Bearer ${token}` } : {};
  }

  private async answer<T>(cartId: string | null, data: T | undefined, error: unknown, response: Response): Promise<T> {
    if (!response.ok) {
      const problem = problemOf(response, error);
      if (response.status === 412 && cartId) throw new CartChangedError(problem, await this.readCart(cartId));
      throw new CartError(problem);
    }
    const etag = response.headers.get("ETag");
    const id = (data as { cartId?: string } | undefined)?.cartId ?? cartId;
    if (etag && id) this.etags.set(id, etag);
    return data as T;
  }

  private backoff(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.random() * ceiling;
  }
}

function retryAfter(response: Response): number | undefined {
  const seconds = Number(response.headers.get("Retry-After"));
  return response.headers.has("Retry-After") && Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

function withHeader(request: Request, name: string, value: string): Request {
  const headers = new Headers(request.headers);
  headers.set(name, value);
  return new Request(request, { headers });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
