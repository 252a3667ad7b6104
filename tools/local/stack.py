"""The service on this machine: moto's DynamoDB in server mode, the tables, the sample
catalog and `chalice local`, all on loopback. `make run` and the end-to-end tests use it.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from socketserver import BaseServer
from typing import IO, Any

import boto3
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
)
from werkzeug.serving import make_server

from chalicelib.service.datafiles.rates import DELIVERY, TAX
from chalicelib.settings import Settings
from tools.data.load_catalog import load_catalog
from tools.data.load_promotions import load_promotions
from tools.data.load_rates import load_rates
from tools.local import moto_patches, moto_speed
from tools.local.tables import create_event_bus, create_tables
from tools.stage import PROJECT_DIR

LOCAL_STAGE = "local"
SAMPLE_CATALOG = PROJECT_DIR / "data" / "catalog.sample.json"
SAMPLE_PROMOTIONS = PROJECT_DIR / "data" / "promotions.sample.json"
SAMPLE_DELIVERY = PROJECT_DIR / "data" / "delivery.sample.json"
SAMPLE_TAX = PROJECT_DIR / "data" / "tax.sample.json"
LOOPBACK = "127.0.0.1"


def local_aws_environment(endpoint: str) -> dict[str, str]:
    """Dummy credentials and the local endpoint: what boto3 needs to talk to moto only.
    (moto serves EventBridge too; DescribeStream needs the account id left out of the
    endpoint, which moto does not know.)"""
    return {
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
        "AWS_ENDPOINT_URL_EVENTS": endpoint,
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


@contextmanager
def dynamodb_server(port: int = 0) -> Iterator[str]:
    """moto's DynamoDB in server mode on loopback, one request at a time; yields its URL.

    moto runs a TransactWriteItems as a sequence of single writes and, when a condition
    fails, restores the tables from a copy taken when the transaction began. With requests
    served in parallel, another request's write can land in between and be lost, or a
    deleted row come back. DynamoDB's transactions are atomic; serving one request at a time
    makes moto's so too.
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
        request_handler=MotoRequestHandler,
    )
    with serving(server):
        yield f"http://{LOOPBACK}:{server.server_port}"


@contextmanager
def dynamodb_server_process() -> Iterator[str]:
    """dynamodb_server in a process of its own; yields its URL. What a benchmark measures
    against, so that the server's work never competes with the measured code for the
    interpreter's lock (DynamoDB is never in the Lambda's process), and what a test uses
    for tables of its own (moto keeps one set of tables per process)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.local.stack", str(port)],
        cwd=PROJECT_DIR,
        start_new_session=True,
    )
    try:
        wait_for_port(port, process, "the DynamoDB server")
        yield f"http://{LOOPBACK}:{port}"
    finally:
        stop_process_group(process)


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


def prepare_tables(client: Any, settings: Settings, catalog: Path = SAMPLE_CATALOG) -> None:
    """Create the tables and the event bus, and load a catalog and the sample promotions and
    rates."""
    create_tables(client, settings)
    create_event_bus(local_client("events", client.meta.endpoint_url), settings.event_bus_name)
    load_catalog(client, settings, catalog)
    load_promotions(client, settings, SAMPLE_PROMOTIONS)
    load_sample_rates(client, settings)


def load_sample_rates(client: Any, settings: Settings) -> None:
    load_rates(client, settings, DELIVERY, SAMPLE_DELIVERY)
    load_rates(client, settings, TAX, SAMPLE_TAX)


def local_client(service: str, endpoint: str) -> Any:
    """A boto3 client of the local server (moto serves every AWS service on one port)."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


@contextmanager
def chalice_local(
    port: int,
    environment: dict[str, str],
    autoreload: bool = False,
    output: IO[bytes] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """`chalice local` in its own process group, stopped with the whole group.

    With autoreload, chalice local runs the server in a child process that outlives a
    SIGTERM to its parent, so the group is what gets stopped.
    """
    command = [sys.executable, "-m", "tools.local.chalice_local", "local", "--host", LOOPBACK]
    command += ["--port", str(port), "--stage", LOCAL_STAGE]
    if not autoreload:
        command.append("--no-autoreload")
    process = subprocess.Popen(
        command,
        cwd=PROJECT_DIR,
        env={**os.environ, **environment},
        start_new_session=True,
        stdout=output,
        stderr=subprocess.STDOUT if output else None,
    )
    try:
        wait_for_port(port, process, "chalice local")
        yield process
    finally:
        stop_process_group(process)


def wait_for_port(
    port: int, process: subprocess.Popen[bytes], name: str, timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with status {process.returncode}")
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not listen on port {port} within {timeout} s")


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def main() -> None:
    """`python -m tools.local.stack PORT`: dynamodb_server on PORT until stopped."""
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stopped.set())
    with dynamodb_server(int(sys.argv[1])):
        stopped.wait()


if __name__ == "__main__":
    main()
