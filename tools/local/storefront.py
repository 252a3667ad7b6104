"""Serves the demo storefront (storefront/) on its own origin, as a shop's site would be.

The origin is the local stage's CORS_ALLOW_ORIGIN (http://127.0.0.1:8001), so the page's
calls to the API on :8000 are real cross-origin requests with preflight. Besides the files,
it answers /config.json (where the API is), /catalog.json (the sample catalog) and
/demo-token (a shopper token from the local issuer, for the page's "Sign in" button: a real
shop gets it from its identity provider).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from tools.local.issuer import LocalIssuer
from tools.local.loopback import LOOPBACK, send_json, serving
from tools.local.stack import LOCAL_STAGE, SAMPLE_CATALOG
from tools.stage import PROJECT_DIR, stage_environment

STOREFRONT_DIR = PROJECT_DIR / "storefront"
DEMO_SHOPPER = "demo-shopper"


def storefront_origin() -> str:
    """The one origin the local stage lets browsers call the API from."""
    return stage_environment(LOCAL_STAGE)["CORS_ALLOW_ORIGIN"]


class _Handler(SimpleHTTPRequestHandler):
    disable_nagle_algorithm = True

    def __init__(self, *args: Any, api_url: str, issuer: LocalIssuer | None, **kwargs: Any) -> None:
        self.api_url = api_url
        self.issuer = issuer
        super().__init__(*args, directory=str(STOREFRONT_DIR), **kwargs)

    def do_GET(self) -> None:
        if self.path == "/config.json":
            send_json(self, {"api": self.api_url, "signIn": self.issuer is not None})
        elif self.path == "/demo-token" and self.issuer is not None:
            send_json(self, {"token": self.issuer.token(DEMO_SHOPPER)})
        elif self.path == "/catalog.json":
            send_json(self, json.loads(SAMPLE_CATALOG.read_text()))
        else:
            super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the API's own log tells what the page did."""


@contextmanager
def storefront_server(
    api_url: str, origin: str | None = None, issuer: LocalIssuer | None = None
) -> Iterator[str]:
    """The storefront on `origin` (default: the local stage's allowed one); yields its URL."""
    port = urlsplit(origin or storefront_origin()).port or 80
    handler = partial(_Handler, api_url=api_url, issuer=issuer)
    server = ThreadingHTTPServer((LOOPBACK, port), handler)
    server.daemon_threads = True
    with serving(server):
        yield f"http://{LOOPBACK}:{server.server_port}"
