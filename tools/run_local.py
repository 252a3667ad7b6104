"""`make run`: the whole service on this machine, until Ctrl-C.

Starts moto's DynamoDB on 127.0.0.1 (MOTO_PORT, default: a free port), creates the tables,
loads data/catalog.sample.json, serves the API with `chalice local` on
http://127.0.0.1:$PORT (default 8000) and the demo storefront on http://127.0.0.1:8001
(the local stage's CORS origin). Ctrl-C or SIGTERM stops everything it started.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType

from chalicelib.wiring import dynamodb_client
from tools.local_stack import (
    LOCAL_STAGE,
    LOOPBACK,
    SAMPLE_CATALOG,
    chalice_local,
    dynamodb_server,
    local_aws_environment,
    prepare_tables,
)
from tools.stage import stage_settings
from tools.storefront import storefront_server


def main() -> None:
    port = int(os.environ.get("PORT", "8000"))
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    with dynamodb_server(int(os.environ.get("MOTO_PORT", "0"))) as endpoint:
        environment = local_aws_environment(endpoint)
        os.environ.update(environment)
        settings = stage_settings(LOCAL_STAGE)
        prepare_tables(dynamodb_client(settings), settings)
        print(f"DynamoDB (moto) on {endpoint}; sample catalog {SAMPLE_CATALOG.name} loaded")
        api_url = f"http://{LOOPBACK}:{port}"
        with (
            storefront_server(api_url) as shop,
            chalice_local(port, environment, autoreload=True) as process,
        ):
            print(f"Demo storefront on {shop}", flush=True)
            print(f"Cart API on {api_url}  (Ctrl-C stops everything)", flush=True)
            while not stop.wait(0.5):
                if process.poll() is not None:
                    sys.exit(f"chalice local stopped with status {process.returncode}")
    print("stopped")


if __name__ == "__main__":
    main()
