"""`make run`'s program: serves the sample catalog on PORT in shopper mode, `make -s token`
prints a token it accepts without disturbing it, and Ctrl-C stops all it started; with
AWS_ENDPOINT_URL_DYNAMODB set, it uses that DynamoDB and starts none of its own."""

import asyncio
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import boto3
import pytest
import requests
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tests import emf
from tests.e2e.fault_proxy import FaultProxy
from tools.local.stack import dynamodb_server_process, free_port, local_aws_environment
from tools.stage import PROJECT_DIR, stage_settings


def port_is_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def make_s(environment: dict[str, str], *arguments: str) -> str:
    """What `make -s ARGUMENTS` prints, beside a running make run."""
    return subprocess.run(
        ["make", "-s", *arguments],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def test_run_local_serves_shoppers_and_guests_and_ctrl_c_stops_everything() -> None:
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k not in ("API_AUTH", "TOKEN_KEYS")}
    api = f"http://127.0.0.1:{port}"
    with run_local({**environment, "PORT": str(port)}) as run:
        assert f"{api} in shopper mode".encode() in run.banner

        token = make_s(environment, "token", "SUB=alice")
        assert token.count("\n") == 1 and token.count(".") == 2  # one line: a JWT
        restock = ("stock", "PRODUCT=GRINDER-HAND", "DELTA=2", "KEY=delivery-1", "STAGE=local")
        for _ in range(2):  # sent twice: counted once (the sample has 3)
            restocked = make_s(environment, *restock)
            assert json.loads(restocked) == {"productId": "GRINDER-HAND", "available": 5}
        shopper = {"Authorization": f"Bearer {token.strip()}"}
        mine = requests.post(f"{api}/carts", json={}, headers=shopper, timeout=10)
        assert (mine.status_code, mine.json()["customerId"]) == (201, "alice")
        listed = requests.get(f"{api}/me/carts", headers=shopper, timeout=10).json()
        assert [c["cartId"] for c in listed["carts"]] == [mine.json()["cartId"]]

        guest = requests.post(f"{api}/carts", json={}, timeout=10).json()
        added = requests.post(
            f"{api}/carts/{guest['cartId']}/items",
            json={"productId": "ESP-1KG", "quantity": 1},
            headers={"Authorization": f"Bearer {guest['cartToken']}"},
            timeout=10,
        )
        assert added.json()["totalAmount"] == "19.99"  # the sample catalog is loaded
        # The stream consumer runs too: each event that reaches the bus, one JSON line.
        run.wait_for(f'"eventId": "{guest["cartId"]}:2:ItemAdded"'.encode())
        events = [json.loads(line) for line in run.output.splitlines() if b'"detail-type"' in line]
        assert [(e["detail-type"], e["detail"]["cartId"]) for e in events] == [
            ("CartCreated", mine.json()["cartId"]),
            ("CartCreated", guest["cartId"]),
            ("ItemAdded", guest["cartId"]),
        ]
        refused = requests.get(f"{api}/carts/{guest['cartId']}", timeout=10)
        assert refused.status_code == 401
        # Each request's access line, with its metrics in EMF, as a deployed function logs it
        run.wait_for(b'"operation":"add_item"')
        access = [json.loads(line) for line in run.output.splitlines() if b'"_aws"' in line]
        add = next(line for line in access if line.get("operation") == "add_item")
        emf.check(add)
        assert (add["status"], add["cartId"], add["roundTrips"] > 0) == (200, guest["cartId"], True)
        # An agent shops through make run's MCP endpoint with the official client.
        listed_tools, cart = asyncio.run(agent_session(f"{api}/ucp/mcp"))
        assert listed_tools == ["create_cart", "get_cart", "update_cart", "cancel_cart"]
        assert [(li["id"], li["quantity"]) for li in cart["line_items"]] == [("ESP-1KG", 2)]
        run.wait_for(b'"operation":"ucp_get_cart"')
        access = [json.loads(line) for line in run.output.splitlines() if b'"_aws"' in line]
        agent = next(line for line in access if line.get("operation") == "ucp_get_cart")
        assert agent["ucpAgent"] == "https://agent.example/.well-known/ucp"
        # A guest cart's UCP id is its cart token: the log names the cart, never the token.
        assert agent["cartId"] == cart["id"].split(".")[2]
        assert cart["id"].encode() not in run.output
    assert b"Restarting local dev server" not in run.output  # make token disturbed nothing
    deadline = time.monotonic() + 5
    while port_is_open(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not port_is_open(port), "chalice local outlived Ctrl-C"


async def agent_session(url: str) -> tuple[list[str], dict[str, Any]]:
    """The tools an agent finds, and the cart it made and read back."""
    meta = {"ucp-agent": {"profile": "https://agent.example/.well-known/ucp"}}
    async with (
        streamable_http_client(url) as streams,
        ClientSession(streams[0], streams[1]) as session,
    ):
        await session.initialize()
        tools = [tool.name for tool in (await session.list_tools()).tools]
        lines = [{"item": {"id": "ESP-1KG"}, "quantity": 2}]
        created = await session.call_tool(
            "create_cart", {"meta": meta, "cart": {"line_items": lines}}
        )
        read = await session.call_tool(
            "get_cart", {"meta": meta, "id": created.structured_content["id"]}
        )
        return tools, read.structured_content


@dataclass
class LocalRun:
    banner: bytes
    """What it printed until it was ready."""
    stdout: IO[bytes]
    output: bytes = b""
    """What it printed afterwards, until it stopped."""

    def wait_for(self, text: bytes, timeout: float = 30) -> None:
        """Read what it prints until `text` appears."""
        deadline = time.monotonic() + timeout
        while text not in self.output:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self.stdout], [], [], max(remaining, 0))
            assert ready, f"no {text!r} within {timeout} s in: {self.output.decode()}"
            self.output += self.stdout.readline()


@contextmanager
def run_local(
    environment: dict[str, str], stop: signal.Signals = signal.SIGINT, to_group: bool = True
) -> Iterator[LocalRun]:
    """tools.local.run, from its banner until it is stopped: as Ctrl-C stops it (SIGINT to
    the foreground process group), or with `stop` to its process alone (as a supervisor
    stops it); it must end with status 0 and leave no process it started behind."""
    marker = uuid.uuid4().hex
    environment = {**environment, RUN_MARKER: marker}
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.local.run"],
        cwd=PROJECT_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        bufsize=0,  # unbuffered: what select() sees waiting is all there is to read
    )
    try:
        assert process.stdout is not None
        run = LocalRun(b"", process.stdout)
        while b"Ctrl-C" not in run.banner:
            line = process.stdout.readline()
            assert line, f"run_local exited early: {run.banner.decode()}"
            run.banner += line
        yield run
        if to_group:
            os.killpg(process.pid, stop)
        else:
            process.send_signal(stop)
        rest, _ = process.communicate(timeout=15)
        run.output += rest
        assert process.returncode == 0
        deadline = time.monotonic() + 10
        while processes_marked(marker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert processes_marked(marker) == [], f"{stop.name} left processes behind"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


RUN_MARKER = "MAKE_RUN_TEST_MARKER"
"""An environment variable every process `make run` starts inherits."""


def processes_marked(marker: str) -> list[int]:
    """The processes whose environment carries RUN_MARKER=marker."""
    marked = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"{RUN_MARKER}={marker}".encode() in environ.read_bytes().split(b"\0"):
                marked.append(int(environ.parent.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return marked


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_run_local_stops_whole_when_its_process_alone_is_signalled_and_its_events_keep_flowing(
    stop: signal.Signals,
) -> None:
    """A supervisor, a CI timeout or a closed terminal signals `make run`'s own process:
    chalice local, its reloader's worker and everything else stop with it (checked by
    run_local). Meanwhile: bursts of refused changes, then a new cart's event within
    seconds; no connection pool overflows; no cart token in the output, however encoded."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k not in ("API_AUTH", "TOKEN_KEYS")}
    api = f"http://127.0.0.1:{port}"
    with run_local({**environment, "PORT": str(port)}, stop, to_group=False) as run:
        if stop == signal.SIGTERM:
            guests = [requests.post(f"{api}/carts", json={}, timeout=10).json() for _ in range(4)]
            with ThreadPoolExecutor(max_workers=20) as pool:
                statuses = list(pool.map(lambda n: add_300(api, guests[n % 4]), range(24)))
            assert (statuses.count(200), statuses.count(400)) == (12, 12)  # 3 x 300 a cart
            after = requests.post(f"{api}/carts", json={}, timeout=10).json()
            run.wait_for(f'"eventId": "{after["cartId"]}:1:CartCreated"'.encode(), timeout=10)
            token = after["cartToken"]
            agent = {"UCP-Agent": 'profile="https://agent.example/.well-known/ucp"'}
            encoded = requests.get(f"{api}/ucp/carts/%63{token[1:]}", headers=agent, timeout=10)
            assert encoded.status_code == 200
            run.wait_for(b'"operation":"ucp_get_cart"')
            assert token[5:].encode() not in run.output
            assert b"Connection pool is full" not in run.output
    assert not port_is_open(port)


def add_300(api: str, guest: dict[str, str]) -> int:
    return requests.post(
        f"{api}/carts/{guest['cartId']}/items",
        json={"productId": "ESP-1KG", "quantity": 300},
        headers={"Authorization": f"Bearer {guest['cartToken']}"},
        timeout=30,
    ).status_code


def test_run_local_uses_the_dynamodb_of_aws_endpoint_url_dynamodb() -> None:
    with dynamodb_server_process() as upstream:  # tables of its own: a process of its own
        proxy = FaultProxy(upstream)  # another DynamoDB-compatible server, seen by its calls
        proxy.start()
        port = free_port()
        environment = {
            **{k: v for k, v in os.environ.items() if k not in ("TOKEN_KEYS",)},
            **local_aws_environment(proxy.url),
            "PORT": str(port),
            "API_AUTH": "none",
        }
        api = f"http://127.0.0.1:{port}"
        try:
            with run_local(environment) as run:
                assert f"DynamoDB at {proxy.url}".encode() in run.banner
                assert b"moto" not in run.banner
                samples = (
                    b"catalog.sample.json, promotions.sample.json, delivery.sample.json"
                    b" and tax.sample.json loaded"
                )
                assert samples in run.banner
                cart = requests.post(f"{api}/carts", json={"customerId": "c"}, timeout=10).json()
                added = requests.post(
                    f"{api}/carts/{cart['cartId']}/items",
                    json={"productId": "ESP-1KG", "quantity": 1},
                    timeout=10,
                )
                assert added.json()["totalAmount"] == "19.99"
                assert proxy.calls["TransactWriteItems"] >= 1  # the change went through it

            settings = stage_settings("local")
            direct = boto3.client("dynamodb", **_client_arguments(upstream))
            direct.update_item(
                TableName=settings.products_table,
                Key={"productId": {"S": "ESP-1KG"}},
                UpdateExpression="SET unitPrice = :price",
                ExpressionAttributeValues={":price": {"N": "21.5"}},
            )
            with run_local(environment) as run:  # the tables exist: nothing is redone
                assert b"tables ready, their data kept" in run.banner
                kept = requests.get(f"{api}/carts/{cart['cartId']}", timeout=10).json()
                assert kept["totalAmount"] == "21.50"
        finally:
            proxy.stop()


def _client_arguments(endpoint: str) -> dict[str, str]:
    environment = local_aws_environment(endpoint)
    return {
        "endpoint_url": endpoint,
        "region_name": environment["AWS_DEFAULT_REGION"],
        "aws_access_key_id": environment["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": environment["AWS_SECRET_ACCESS_KEY"],
    }
