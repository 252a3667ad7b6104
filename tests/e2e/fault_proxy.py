"""An HTTP proxy between the service and the DynamoDB server that can inject failures.

moto serialises writes and never throttles, conflicts or fails, so the end-to-end tests put
this proxy in front of it: by default it forwards every call, and a test can make it answer
chosen operations with a DynamoDB error instead (throttling, TransactionConflict, an
unexpected error), over real HTTP into the service's real botocore client.

It also gives TransactWriteItems DynamoDB's idempotency, which moto ignores: botocore puts a
ClientRequestToken in every TransactWriteItems and keeps it across its retries, and DynamoDB
applies a token's transaction once, answering every retry as the first call. Without this,
a retry after a read timeout (moto answering slowly under a burst) would apply an add twice
here, where DynamoDB would not.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

Answer = tuple[int, list[tuple[str, str]], bytes]


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._faults: dict[str, tuple[float, int, dict[str, Any]]] = {}
        self._stalls: dict[str, float] = {}
        self._spared: dict[str, int] = {}
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self._transactions: dict[str, tuple[threading.Event, list[Answer]]] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(
        self,
        operation: str,
        error: str,
        status: int = 400,
        times: float = float("inf"),
        after: int = 0,
        **members: Any,
    ) -> None:
        """Answer `times` calls of `operation` with DynamoDB error `error`, once `after`
        calls went through."""
        body = {"__type": f"com.amazonaws.dynamodb.v20120810#{error}", "message": error, **members}
        with self._lock:
            self._faults[operation] = (times, status, body)
            self._spared[operation] = after

    def stall(self, operation: str, seconds: float) -> None:
        """Make every call of `operation` hang `seconds`, then drop the connection unanswered:
        a DynamoDB that accepts connections but never answers."""
        with self._lock:
            self._stalls[operation] = seconds

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._stalls.clear()
            self._spared.clear()
            self.calls.clear()

    def _take_fault(self, operation: str) -> tuple[int, dict[str, Any]] | None:
        with self._lock:
            self.calls[operation] += 1
            times, status, body = self._faults.get(operation, (0, 0, {}))
            if times <= 0:
                return None
            if self._spared.get(operation, 0) > 0:
                self._spared[operation] -= 1
                return None
            self._faults[operation] = (times - 1, status, body)
            return status, body

    def _forward_once(
        self, operation: str, path: str, headers: dict[str, str], body: bytes
    ) -> Answer:
        """Forward the call; a TransactWriteItems whose token was seen is answered as the
        first call with that token was (after it, if it is still running)."""
        if operation != "TransactWriteItems":
            return self._forward(path, headers, body)
        token = json.loads(body).get("ClientRequestToken")
        with self._lock:
            first = token not in self._transactions
            if first:
                self._transactions[token] = (threading.Event(), [])
            done, answers = self._transactions[token]
        if not first:
            done.wait(timeout=30)
            if answers:
                return answers[0]
        try:
            answers.append(self._forward(path, headers, body))
        except OSError:
            with self._lock:
                del self._transactions[token]  # it never reached DynamoDB: a retry runs it
            raise
        finally:
            done.set()
        return answers[0]

    def _forward(self, path: str, headers: dict[str, str], body: bytes) -> Answer:
        connection = http.client.HTTPConnection(*self._upstream, timeout=30)
        try:
            connection.request("POST", path, body, headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each kept-alive answer waits ~40 ms

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                operation = self.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
                stall = proxy._stalls.get(operation)
                if stall is not None:
                    proxy.calls[operation] += 1
                    time.sleep(stall)
                    self.close_connection = True
                    return
                fault = proxy._take_fault(operation)
                if fault is not None:
                    status, payload = fault
                    self._answer(
                        status,
                        [("Content-Type", "application/x-amz-json-1.0")],
                        json.dumps(payload).encode(),
                    )
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                self._answer(*proxy._forward_once(operation, self.path, headers, body))

            def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in {
                        "content-length",
                        "connection",
                        "transfer-encoding",
                        "server",
                        "date",
                    }:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: one line per DynamoDB call would drown the test output."""

        return Handler
