// Every refusal as an error to branch on: its status, its stable code (the contract's own
// union, generated from openapi.yaml) and the whole problem document.
import type { components } from "./schema.js";

type Problem = components["schemas"]["Problem"];
type Cart = components["schemas"]["Cart"];

/** The contract's error codes (openapi.yaml's Problem.code). */
export type ProblemCode = Problem["code"];

export class CartError extends Error {
  readonly status: number;
  readonly code: ProblemCode;
  readonly detail: string;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.name = "CartError";
    this.status = problem.status;
    this.code = problem.code;
    this.detail = problem.detail;
    this.problem = problem;
  }
}

/** 412: the cart changed since the ETag the change was sent with; `cart` is it now. */
export class CartChangedError extends CartError {
  readonly cart: Cart;

  constructor(problem: Problem, cart: Cart) {
    super(problem);
    this.name = "CartChangedError";
    this.cart = cart;
  }
}

/** An answer that is not a problem document (a proxy's page, a gateway's): its status
 * alone, as the nearest code. */
export function problemOf(response: Response, body: unknown): Problem {
  if (body && typeof body === "object" && "code" in body && "status" in body) return body as Problem;
  const code: ProblemCode =
    response.status === 429 ? "TOO_MANY_REQUESTS" : response.status === 503 ? "SERVICE_UNAVAILABLE" : "INTERNAL_ERROR";
  return { type: "about:blank", title: response.statusText, status: response.status, code, detail: response.statusText };
}
