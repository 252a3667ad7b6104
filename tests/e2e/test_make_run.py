"""`make run`'s program: serves the sample catalog on PORT in shopper mode, `make -s token`
prints a token it accepts without disturbing it, and Ctrl-C stops all it started."""

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


def test_run_local_serves_shoppers_and_guests_and_ctrl_c_stops_everything() -> None:
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k not in ("API_AUTH", "TOKEN_KEYS")}
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.run_local"],
        cwd=PROJECT_DIR,
        env={**environment, "PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    api = f"http://127.0.0.1:{port}"
    try:
        assert process.stdout is not None
        banner = b""
        while b"Ctrl-C" not in banner:
            line = process.stdout.readline()
            assert line, f"run_local exited early: {banner.decode()}"
            banner += line
        assert f"{api} in shopper mode".encode() in banner

        token = subprocess.run(
            ["make", "-s", "token", "SUB=alice"],
            cwd=PROJECT_DIR,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
        assert token.count("\n") == 1 and token.count(".") == 2  # one line: a JWT
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
        refused = requests.get(f"{api}/carts/{guest['cartId']}", timeout=10)
        assert refused.status_code == 401

        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
        output, _ = process.communicate(timeout=15)
        assert process.returncode == 0
        assert b"Restarting local dev server" not in output  # make token disturbed nothing
        deadline = time.monotonic() + 5
        while port_is_open(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not port_is_open(port), "chalice local outlived Ctrl-C"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
