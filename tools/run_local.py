"""`make run`: the whole service on this machine, until Ctrl-C.

Starts moto's DynamoDB on 127.0.0.1 (MOTO_PORT, default: a free port), creates the tables,
loads data/catalog.sample.json, starts a local token issuer, serves the API with `chalice
local` on http://127.0.0.1:$PORT (default 8000) and the demo storefront on
http://127.0.0.1:8001 (the local stage's CORS origin). Ctrl-C or SIGTERM stops everything
it started.

The API runs in the local stage's `shopper` mode with fresh keys each run: `make -s token
SUB=alice` prints a shopper token it accepts. `API_AUTH=none make run` serves it without
any checks, as a trusted backend would see it.
"""

from __future__ import annotations

import os
import secrets
import signal
import sys
import threading
from types import FrameType

from chalicelib.settings import EdgeSettings
from chalicelib.wiring import dynamodb_client
from tools.chalice_local import OVERRIDES_VARIABLE
from tools.local_issuer import local_issuer
from tools.local_stack import (
    LOCAL_STAGE,
    LOOPBACK,
    SAMPLE_CATALOG,
    chalice_local,
    dynamodb_server,
    local_aws_environment,
    prepare_tables,
)
from tools.stage import stage_environment, stage_settings
from tools.storefront import storefront_server


def fresh_key_ring() -> str:
    """A key ring for this run only: cart and page tokens of an earlier run are refused."""
    kid = f"local-{secrets.token_hex(4)}"
    return f'{{"current": "{kid}", "{kid}": "{secrets.token_urlsafe(32)}"}}'


def main() -> None:
    port = int(os.environ.get("PORT", "8000"))
    api_auth = os.environ.get("API_AUTH") or stage_environment(LOCAL_STAGE)["API_AUTH"]
    EdgeSettings.from_environ({"API_AUTH": api_auth})  # refuses an unknown mode at once
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    with (
        dynamodb_server(int(os.environ.get("MOTO_PORT", "0"))) as endpoint,
        local_issuer() as issuer,
    ):
        environment = local_aws_environment(endpoint)
        os.environ.update(environment)
        settings = stage_settings(LOCAL_STAGE)
        prepare_tables(dynamodb_client(settings), settings)
        issuer.save()
        print(f"DynamoDB (moto) on {endpoint}; sample catalog {SAMPLE_CATALOG.name} loaded")
        api_url = f"http://{LOOPBACK}:{port}"
        service_environment = {
            **environment,
            **issuer.verifier_environment(),
            "TOKEN_KEYS": fresh_key_ring(),
            "API_AUTH": api_auth,
            OVERRIDES_VARIABLE: "API_AUTH",
        }
        with (
            storefront_server(api_url, issuer=issuer) as shop,
            chalice_local(port, service_environment, autoreload=True) as process,
        ):
            print(f"Demo storefront on {shop}", flush=True)
            print(f"Cart API on {api_url} in {api_auth} mode", flush=True)
            if api_auth == "shopper":
                print("A shopper token: make -s token SUB=alice", flush=True)
            print("(Ctrl-C stops everything)", flush=True)
            while not stop.wait(0.5):
                if process.poll() is not None:
                    sys.exit(f"chalice local stopped with status {process.returncode}")
    print("stopped")


if __name__ == "__main__":
    main()
