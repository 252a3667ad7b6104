// What the tests share: the stack they run against (the end-to-end suite starts it and
// names it in CART_API), and a fetch that records what the client sent.
import { CartClient, MemoryTokenStore } from "../dist/index.js";

export const API = process.env.CART_API;

/** A fetch that forwards every request, remembering each one's method, path and headers;
 * `lose` drops the first answer of a request it matches after the server has answered
 * (the network failing once the change committed). */
export function recordingFetch({ lose } = {}) {
  const sent = [];
  let lost = false;
  const send = async (request) => {
    const url = new URL(request.url);
    sent.push({ method: request.method, path: url.pathname, headers: Object.fromEntries(request.headers) });
    const response = await fetch(request);
    if (lose && !lost && lose(request)) {
      lost = true;
      await response.arrayBuffer();
      throw new TypeError("fetch failed: the answer was lost");
    }
    return response;
  };
  return { sent, fetch: send };
}

export function client(options = {}) {
  return new CartClient({ baseUrl: API, cartTokens: new MemoryTokenStore(), ...options });
}
