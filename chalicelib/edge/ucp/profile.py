"""The business profile at /.well-known/ucp: the UCP version, the shopping service's two
bindings this stage serves (REST under /ucp, MCP at /ucp/mcp) at this stage's public
address (PUBLIC_BASE_URL: never the request's Host, which shared caches would then serve
to everyone), and the cart capability. The paths are the ones app.py serves
(edge/ucp/__init__.py)."""

from __future__ import annotations

from typing import Any

from chalice.app import Response

from chalicelib.edge.ucp import (
    CART_CAPABILITY,
    MCP_PATH,
    REST_PREFIX,
    SHOPPING_SERVICE,
    UCP_VERSION,
)
from chalicelib.settings import public_base_url

SPECIFICATION = f"https://ucp.dev/{UCP_VERSION}"
CACHE_CONTROL = "public, max-age=300"
"""UCP: a profile is cached by shared caches, for at least 60 seconds."""


def business_profile(base_url: str) -> dict[str, Any]:
    """`base_url`: where this stage's API is (scheme, host and the stage's prefix)."""
    service = {"version": UCP_VERSION, "spec": f"{SPECIFICATION}/specification/overview"}
    return {
        "ucp": {
            "version": UCP_VERSION,
            "services": {
                SHOPPING_SERVICE: [
                    {
                        **service,
                        "transport": "rest",
                        "endpoint": f"{base_url}{REST_PREFIX}",
                        "schema": f"{SPECIFICATION}/services/shopping/rest.openapi.json",
                    },
                    {
                        **service,
                        "transport": "mcp",
                        "endpoint": f"{base_url}{MCP_PATH}",
                        "schema": f"{SPECIFICATION}/services/shopping/mcp.openrpc.json",
                    },
                ]
            },
            "capabilities": {
                CART_CAPABILITY: [
                    {
                        "version": UCP_VERSION,
                        "spec": f"{SPECIFICATION}/specification/cart",
                        "schema": f"{SPECIFICATION}/schemas/shopping/cart.json",
                    }
                ]
            },
            "payment_handlers": {},
        }
    }


def answer() -> Response:
    document = business_profile(public_base_url())
    headers: dict[str, str | list[str]] = {
        "Content-Type": "application/json",
        "Cache-Control": CACHE_CONTROL,
    }
    return Response(document, status_code=200, headers=headers)
