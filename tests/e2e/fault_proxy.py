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
import socket
import struct
import sys
import threading
import time
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, NamedTuple
from urllib.parse import urlsplit

Answer = tuple[int, list[tuple[str, str]], bytes]

FaultKind = Literal["throttled", "server_error", "refused", "answer_lost", "connection_reset"]
FAULT_KINDS: tuple[FaultKind, ...] = (
    "throttled",  # answered ThrottlingException, never forwarded
    "server_error",  # answered 500 InternalServerError, never forwarded
    "refused",  # answered 400 ValidationException (an item past 400 KB), never forwarded
    "answer_lost",  # forwarded and applied, then the connection drops unanswered
    "connection_reset",  # the connection is reset (RST) before anything is forwarded
)

ANSWERED_FAULTS = {
    "throttled": ("ThrottlingException", 400, "Rate of requests exceeds the allowed throughput."),
    "server_error": ("InternalServerError", 500, "Internal server error"),
    "refused": ("ValidationException", 400, "Item size has exceeded the maximum allowed size"),
}


@dataclass
class Watch:
    """The calls whose body holds one of `needles` (a cart id, a test's tag): counted per
    operation, and the calls of `operation` whose count is among `occurrences` get `kind`."""

    needles: Collection[bytes]
    calls: Counter[str] = field(default_factory=Counter)
    fault: Fault | None = None


class Fault(NamedTuple):
    operation: str
    occurrences: Collection[int]
    """Which calls of the operation, counted from 1."""
    kind: FaultKind


class _QuietServer(ThreadingHTTPServer):
    request_queue_size = 128  # socketserver's 5 refuses the service's bursts of connections

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (the service's read timeout) is no error of the proxy's."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


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
        self._watches: dict[str, Watch] = {}
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
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

    def watch(
        self,
        name: str,
        needles: Collection[str],
        fault: Fault | None = None,
    ) -> Watch:
        """Count the calls that concern one test case (their body holds a needle), and
        inject `fault` into them; concurrent cases each have their own watch."""
        watch = Watch([needle.encode() for needle in needles], fault=fault)
        with self._lock:
            self._watches[name] = watch
        return watch

    def unwatch(self, name: str) -> Watch:
        with self._lock:
            return self._watches.pop(name)

    def _watched_fault(self, operation: str, body: bytes) -> FaultKind | None:
        with self._lock:
            for watch in self._watches.values():
                if any(needle in body for needle in watch.needles):
                    watch.calls[operation] += 1
                    fault = watch.fault
                    if (
                        fault is not None
                        and fault.operation == operation
                        and watch.calls[operation] in fault.occurrences
                    ):
                        return fault.kind
        return None

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
                kind = proxy._watched_fault(operation, body)
                if kind is not None:
                    self._inject(kind, operation, body)
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

            def _inject(self, kind: FaultKind, operation: str, body: bytes) -> None:
                if kind in ANSWERED_FAULTS:
                    error, status, message = ANSWERED_FAULTS[kind]
                    payload = {
                        "__type": f"com.amazonaws.dynamodb.v20120810#{error}",
                        "message": message,
                    }
                    self._answer(
                        status,
                        [("Content-Type", "application/x-amz-json-1.0")],
                        json.dumps(payload).encode(),
                    )
                    return
                if kind == "answer_lost":
                    headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                    proxy._forward_once(operation, self.path, headers, body)
                else:  # connection_reset: an RST, not a polite close
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                self.close_connection = True

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
