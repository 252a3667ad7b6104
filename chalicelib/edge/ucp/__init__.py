"""UCP's cart capability (`dev.ucp.shopping.cart`, release 2026-04-08) over REST and MCP.

The same operations as /carts, on the same rows: a cart an agent makes here is the cart the
storefront sees. Only the UCP routes import this package, on their first request, so a
/carts request never pays for it (cold start).

- documents.py: a priced cart as UCP's cart, money in minor units, problems as messages;
- requests.py: what an agent sends (line items, the UCP-Agent profile, MCP's `meta`);
- operations.py: the four operations on edge/operations.py's runner (receipts, replays);
- rest.py, mcp.py: the two bindings; profile.py: the business profile at /.well-known/ucp.
"""

UCP_VERSION = "2026-04-08"
"""The UCP release this serves (https://github.com/Universal-Commerce-Protocol/ucp)."""
CART_CAPABILITY = "dev.ucp.shopping.cart"
SHOPPING_SERVICE = "dev.ucp.shopping"
REST_PREFIX = "/ucp"
"""Where the REST binding's endpoint starts: its carts are at /ucp/carts."""
MCP_PATH = "/ucp/mcp"
PROFILE_PATH = "/.well-known/ucp"
