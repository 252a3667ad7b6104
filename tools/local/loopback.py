"""What the local helper servers share (the DynamoDB server, the token issuer, the demo
storefront): the loopback address, a server on a thread, a JSON answer. Light on purpose:
`make -s token` imports it, and neither boto3 nor moto."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from socketserver import BaseServer
from typing import Any

LOOPBACK = "127.0.0.1"


@contextmanager
def serving(server: BaseServer) -> Iterator[None]:
    """Run a socketserver-style server on a daemon thread for the duration."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def send_json(handler: BaseHTTPRequestHandler, document: Any) -> None:
    """Answer a local helper server's request with a JSON document."""
    body = json.dumps(document).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)
