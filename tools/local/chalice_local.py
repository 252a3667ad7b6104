"""`chalice local`, made to answer as the deployed API Gateway does.

    python -m tools.local.chalice_local local --port 8000 --stage local

Where it differs from plain `chalice local`, each a place where that differs from API Gateway
or from what a development server needs:

- TCP_NODELAY on its connections. Its server sends a response's headers and body as
  separate writes; on a kept-alive connection, which browsers and HTTP libraries use,
  Nagle's algorithm then holds the body until the client's delayed ACK arrives: about 40 ms
  on every request (measured here: 53 ms a GET, 9 ms with TCP_NODELAY).
- A listen backlog of 128. It listens with the socket module's default of 5: a burst of new
  connections beyond that (a page firing requests, a load test) got `Connection reset by
  peer` (measured: 41 of 150 adds in 5 rounds of 30 simultaneous connections).
- Its own errors (no token, a refused token, an unknown route) as problem+json with
  `X-Request-Id`, `WWW-Authenticate` and CORS headers, as the stage's gateway responses make
  API Gateway answer (see tools/local/gateway.py). Its bodies are `{"message": ...}`, and its
  unknown-route answer echoes the bearer token. An authorizer's `Unauthorized` is a 401, as
  in API Gateway (chalice local would answer 500).
- The client's address (`sourceIp`) is the connection's peer, as API Gateway's is; chalice
  local says 127.0.0.1 for every client, so a limit per address could not be seen working.
- No request log of its own: it prints each request line, with a guest's cart token in a
  UCP path, where the service's access line names each request with the token redacted.
  Its error lines (a malformed request) are printed with any cart token redacted.
- It stops with the process that started it (on Linux): chalice local runs in a process
  session of its own, and with autoreload its reloader starts a worker that outlives a
  SIGTERM to the reloader; each of the two is signalled when its parent ends, however that
  ends (`make run` stopped by SIGKILL included).
- The variables named in STAGE_OVERRIDES keep the value they have in this process's
  environment: `chalice local` otherwise overwrites the environment with the stage's
  configuration (so that `API_AUTH=none make run` works).
- Each request sees its own `app.current_request`. chalice local serves requests on
  threads, and the app keeps the request it is serving in one attribute: a request that
  came in while another was on its way to its route could hand that route its own path and
  body (aws/chalice#759), so one change was made twice and another never. In Lambda, a
  container serves one request at a time.
- Its autoreload reloads on the app's sources and configuration only (app.py, chalicelib/,
  .chalice/config.json). It watched every file of the project, so a log, a cache or a
  package written inside it (locust's statistics, mypy's cache, `make test`'s other runs)
  restarted the worker and reset the requests it was serving.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import signal
import sys
import threading
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from chalice.app import Chalice, Request
from chalice.cli import cli
from chalice.cli.factory import CLIFactory
from chalice.cli.filewatch.stat import StatFileWatcher
from chalice.local import (
    ChaliceRequestHandler,
    LocalGatewayAuthorizer,
    LocalGatewayException,
    NotAuthorizedError,
    ThreadedHTTPServer,
)

from chalicelib.edge.auth import WWW_AUTHENTICATE, Unauthorized
from chalicelib.edge.problems import PROBLEM_CONTENT_TYPE, problem_for_status
from chalicelib.service import cart_tokens
from tools.local.gateway import detail_for

LISTEN_BACKLOG = 128
OVERRIDES_VARIABLE = "STAGE_OVERRIDES"


def run(arguments: list[str]) -> None:
    _stop_with_parent()
    ChaliceRequestHandler.disable_nagle_algorithm = True
    ThreadedHTTPServer.request_queue_size = LISTEN_BACKLOG
    _keep_overrides()
    _reload_on_sources_only()
    _answer_like_api_gateway()
    _see_the_client_and_log_no_token()
    _one_request_per_thread(Chalice)
    # With autoreload, chalice restarts its server by running sys.argv again: this module.
    sys.argv = [sys.executable, "-m", "tools.local.chalice_local", *arguments]
    cli(args=arguments, prog_name="chalice", obj={})


class _RequestOfItsThread:
    """`app.current_request` kept per thread: the request the calling thread serves."""

    def __init__(self) -> None:
        self._served = threading.local()

    def __get__(self, app: Chalice | None, owner: type[Chalice]) -> Request | None:
        request: Request | None = getattr(self._served, "request", None)
        return request

    def __set__(self, app: Chalice, request: Request | None) -> None:
        self._served.request = request


def _one_request_per_thread(app_class: type[Chalice]) -> None:
    app_class.current_request = _RequestOfItsThread()  # type: ignore[assignment]


PR_SET_PDEATHSIG = 1
"""prctl(2): the signal this process gets when the thread that started it ends."""


def _stop_with_parent() -> None:
    """SIGTERM to this process when its parent ends (Linux; elsewhere the process group is
    what `make run` stops, as before)."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return
    parent = os.getppid()
    prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it ended before the signal was asked for
        sys.exit("chalice local: the process that started it has stopped")


def _keep_overrides() -> None:
    names = [name for name in os.environ.get(OVERRIDES_VARIABLE, "").split(",") if name]
    overrides = {name: os.environ[name] for name in names if name in os.environ}
    load_chalice_app = CLIFactory.load_chalice_app

    def load_with_overrides(self: CLIFactory, environment_variables: Any = None, **kw: Any) -> Any:
        if environment_variables is not None:
            environment_variables = {**environment_variables, **overrides}
        return load_chalice_app(self, environment_variables, **kw)

    CLIFactory.load_chalice_app = load_with_overrides  # type: ignore[method-assign,assignment]


_RELOADED_FILES = {"app.py", os.path.join(".chalice", "config.json")}
"""With every file under chalicelib/, what the autoreload watches."""


def _reload_on_sources_only() -> None:
    def sources(self: StatFileWatcher, root_dir: str) -> Iterator[str]:
        for path in walk_files(self, root_dir):
            relative = os.path.relpath(path, root_dir)
            if relative in _RELOADED_FILES or (
                relative.startswith(f"chalicelib{os.sep}") and "__pycache__" not in relative
            ):
                yield path

    def seed(self: StatFileWatcher, root_dir: str) -> None:  # the files it compares later
        self._mtime_cache = {path: self._osutils.mtime(path) for path in sources(self, root_dir)}

    walk_files = StatFileWatcher._recursive_walk_files
    StatFileWatcher._recursive_walk_files = sources  # type: ignore[method-assign]
    StatFileWatcher._seed_mtime_cache = seed  # type: ignore[method-assign]


def _answer_like_api_gateway() -> None:
    authorize = LocalGatewayAuthorizer.authorize

    def authorize_or_401(self: LocalGatewayAuthorizer, *args: Any) -> Any:
        try:
            return authorize(self, *args)
        except Unauthorized:
            raise NotAuthorizedError({}, b'{"message":"Unauthorized"}') from None

    def send_problem(self: ChaliceRequestHandler, error: LocalGatewayException) -> None:
        body, headers = gateway_problem(error.CODE, error.body or b"")
        self._send_http_response(body["status"], headers, json.dumps(body).encode())

    LocalGatewayAuthorizer.authorize = authorize_or_401  # type: ignore[method-assign,assignment]
    ChaliceRequestHandler._send_error_response = send_problem  # type: ignore[method-assign]


def _see_the_client_and_log_no_token() -> None:
    handle = ChaliceRequestHandler._generic_handle

    def handle_from_peer(self: ChaliceRequestHandler) -> None:
        converter = self.local_gateway.event_converter
        converter.LOCAL_SOURCE_IP = self.client_address[0]  # this connection's alone
        handle(self)

    def log_error(self: ChaliceRequestHandler, format: str, *args: Any) -> None:
        line = format % args
        sys.stderr.write(f"chalice local: {_TOKEN.sub('{cart token}', unquote(line))}\n")

    for method in ("GET", "PUT", "POST", "HEAD", "DELETE", "PATCH", "OPTIONS"):
        setattr(ChaliceRequestHandler, f"do_{method}", handle_from_peer)
    ChaliceRequestHandler.log_request = lambda self, code="-", size="-": None
    ChaliceRequestHandler.log_error = log_error


_TOKEN = re.compile(rf"{cart_tokens.PREFIX}\.[^\s/?\"']+")


def gateway_problem(status: int, body: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the deployed gateway responses answer for one of chalice local's own errors."""
    if status == 403 and (b"Missing Authentication Token" in body or b"Credential" in body):
        status = 404  # an unknown route (API Gateway's 403, as the gateway response maps it)
    headers: dict[str, Any] = {
        "Content-Type": PROBLEM_CONTENT_TYPE,
        "X-Request-Id": str(uuid.uuid4()),
    }
    if status == 401:
        headers["WWW-Authenticate"] = WWW_AUTHENTICATE
    origin = os.environ.get("CORS_ALLOW_ORIGIN")
    if origin:
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Expose-Headers"] = "X-Request-Id,WWW-Authenticate"
    return problem_for_status(status, detail_for(status)), headers


if __name__ == "__main__":
    run(sys.argv[1:])
