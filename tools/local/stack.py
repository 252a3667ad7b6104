"""The service on this machine: the DynamoDB server's process (dynamodb_server.py), the
tables, the sample catalog and `chalice local`, all on loopback. `make run`, the end-to-end
tests, the benchmarks and the local helpers use it; it does not import moto.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import boto3

from chalicelib.service.datafiles.rates import DELIVERY, TAX
from chalicelib.settings import Settings
from tools.data.load_catalog import load_catalog
from tools.data.load_promotions import load_promotions
from tools.data.load_rates import load_rates
from tools.local.loopback import LOOPBACK
from tools.local.tables import create_event_bus, create_tables
from tools.stage import PROJECT_DIR

LOCAL_STAGE = "local"
SAMPLE_CATALOG = PROJECT_DIR / "data" / "catalog.sample.json"
SAMPLE_PROMOTIONS = PROJECT_DIR / "data" / "promotions.sample.json"
SAMPLE_DELIVERY = PROJECT_DIR / "data" / "delivery.sample.json"
SAMPLE_TAX = PROJECT_DIR / "data" / "tax.sample.json"


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
def dynamodb_server_process(*flags: str) -> Iterator[str]:
    """The DynamoDB server (dynamodb_server.py) in a process of its own; yields its URL.
    What a benchmark measures against, so that the server's work never competes with the
    measured code for the interpreter's lock (DynamoDB is never in the Lambda's process),
    and what a test uses for tables of its own (moto keeps one set of tables per process).
    `flags`: the server's (dynamodb_server.py's THROUGH_MOTOS_APP)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.local.dynamodb_server", str(port), *flags],
        cwd=PROJECT_DIR,
        start_new_session=True,
    )
    try:
        wait_for_port(port, process, "the DynamoDB server")
        yield f"http://{LOOPBACK}:{port}"
    finally:
        stop_process_group(process)


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
