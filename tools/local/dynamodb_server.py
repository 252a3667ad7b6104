"""moto's DynamoDB in server mode on loopback: what `make run`, the end-to-end tests and the
benchmarks talk to as DynamoDB. Only the processes that serve it import moto (a second of
start-up): `make -s token`, `make -s price` and the other helpers do not.

    python -m tools.local.dynamodb_server PORT [--through-motos-app]    # until SIGTERM
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.core.exceptions import HTTPException
from moto.dynamodb.responses import DynamoHandler
from moto.moto_server.werkzeug_app import (
    BackendRequest,
    DomainDispatcherApplication,
    MotoRequestHandler,
)
from werkzeug.serving import make_server

from tools.local import moto_patches, moto_speed
from tools.local.loopback import LOOPBACK, serving

DYNAMODB_TARGET = "DynamoDB_20120810."
"""How every DynamoDB call names its operation (X-Amz-Target); DynamoDB Streams' differ."""


class DynamoDBCallsFirst(MotoRequestHandler):  # type: ignore[misc]  # moto's types are Any
    """moto's request handler, with a DynamoDB call handed to moto's DynamoDB handler
    straight from the request moto's app would have made of it: past the dispatch by host,
    the Flask app and its conversions, which took about a tenth of the server's time. The
    other services' calls (DynamoDB Streams, EventBridge, SQS) go through moto's app."""

    def run_wsgi(self) -> None:
        if not self.headers.get("X-Amz-Target", "").startswith(DYNAMODB_TARGET):
            super().run_wsgi()
            return
        request = BackendRequest(self.make_environ())
        with moto_patches.SERVER_LOCK:
            try:
                status, headers, body = DynamoHandler.dispatch(
                    request, request.raw_url, dict(request.headers)
                )
            except HTTPException as refused:  # as moto's app answers it
                status, body = refused.code or 500, refused.get_body()
                headers = dict(refused.get_headers())
        content = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() != "content-length":
                self.send_header(name, str(value))
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Connection", "close")  # as werkzeug's server answers each call
        self.end_headers()
        self.wfile.write(content)


@contextmanager
def dynamodb_server(port: int = 0, handler: Any = DynamoDBCallsFirst) -> Iterator[str]:
    """moto's DynamoDB in server mode on loopback, one request at a time; yields its URL.

    moto runs a TransactWriteItems as a sequence of single writes and, when a condition
    fails, restores the tables from a copy taken when the transaction began. With requests
    served in parallel, another request's write can land in between and be lost, or a
    deleted row come back. DynamoDB's transactions are atomic; serving one request at a time
    makes moto's so too. `handler` answers each request: DynamoDBCallsFirst, unless moto's
    own (for THROUGH_MOTOS_APP).
    """
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per DynamoDB call
    moto_patches.apply()
    moto_speed.apply()
    moto = DomainDispatcherApplication(moto_speed.backend_app)

    def one_at_a_time(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        with moto_patches.SERVER_LOCK:  # the relay changes the server's records in between
            return list(moto(environ, start_response))

    server = make_server(
        LOOPBACK,
        port,
        one_at_a_time,
        threaded=False,
        request_handler=handler,
    )
    with serving(server):
        yield f"http://{LOOPBACK}:{server.server_port}"


THROUGH_MOTOS_APP = "--through-motos-app"
"""The server's flag for `make bench`: DynamoDB's calls too take moto's app, as when the
bench's figures were first measured. Its overhead ratios divide by the same calls made bare
against this server; answered a tenth faster, the same milliseconds of the service's own
work would read as a larger ratio (and DynamoDB's own round trips are slower still)."""


def main() -> None:
    """`python -m tools.local.dynamodb_server PORT [--through-motos-app]`: dynamodb_server on
    PORT until stopped."""
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stopped.set())
    handler = MotoRequestHandler if THROUGH_MOTOS_APP in sys.argv[2:] else DynamoDBCallsFirst
    with dynamodb_server(int(sys.argv[1]), handler):
        stopped.wait()


if __name__ == "__main__":
    main()
