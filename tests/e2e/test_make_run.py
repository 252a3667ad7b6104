"""`make run`'s program: serves the sample catalog on PORT and Ctrl-C stops all it started."""

import os
import signal
import socket
import subprocess
import sys
import time

import requests

from tools.local_stack import free_port
from tools.stage import PROJECT_DIR


def port_is_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_run_local_serves_the_api_and_ctrl_c_stops_everything() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.run_local"],
        cwd=PROJECT_DIR,
        env={**os.environ, "PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        banner = b""
        while b"Ctrl-C" not in banner:
            line = process.stdout.readline()
            assert line, f"run_local exited early: {banner.decode()}"
            banner += line
        assert f"http://127.0.0.1:{port}".encode() in banner

        created = requests.post(
            f"http://127.0.0.1:{port}/carts", json={"customerId": "customer-42"}, timeout=10
        )
        assert created.status_code == 201
        cart = created.json()["cartId"]
        added = requests.post(
            f"http://127.0.0.1:{port}/carts/{cart}/items",
            json={"productId": "ESP-1KG", "quantity": 1},
            timeout=10,
        )
        assert added.json()["totalAmount"] == "19.99"  # the sample catalog is loaded

        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
        assert process.wait(timeout=15) == 0
        deadline = time.monotonic() + 5
        while port_is_open(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not port_is_open(port), "chalice local outlived Ctrl-C"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
