"""`make run`: the whole service on this machine, until Ctrl-C.

Starts moto's DynamoDB on 127.0.0.1 (MOTO_PORT, default: a free port), creates the tables,
loads data/catalog.sample.json and data/promotions.sample.json, starts a local token
issuer, serves the API with `chalice local` on http://127.0.0.1:$PORT (default 8000) and
the demo storefront on
http://127.0.0.1:8001 (the local stage's CORS origin), and every minute finishes merges that
were interrupted and marks abandoned carts (what the deployed sweeps do). The stream
consumer runs on moto's stream of the Carts table, and every event that reaches the bus is
printed as one JSON line (ABANDONED_AFTER_HOURS=0.02 shows CartAbandoned within about two
minutes). Ctrl-C, SIGTERM or SIGHUP stops everything it started, and chalice local stops with
it however it ends (tools/local/chalice_local.py).

With AWS_ENDPOINT_URL_DYNAMODB set, no moto is started: the service uses that endpoint (any
DynamoDB-compatible server, or a proxy in front of one), creating the tables that are
missing and loading the sample catalog into an empty Products table; events are off (they
need moto's streams and bus).

The API runs in the local stage's `shopper` mode with fresh keys each run: `make -s token
SUB=alice` prints a shopper token it accepts. `API_AUTH=none make run` serves it without
any checks, as a trusted backend would see it.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from types import FrameType
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.domain.errors import StorageUnavailable
from chalicelib.service.operations import CartService
from chalicelib.settings import EdgeSettings, Settings
from chalicelib.wiring import build, dynamodb_client
from tools.data.load_catalog import load_catalog
from tools.data.load_promotions import load_promotions
from tools.load.run import RUN_FILE
from tools.local.chalice_local import OVERRIDES_VARIABLE
from tools.local.dynamodb_server import dynamodb_server
from tools.local.event_stream import EventRelay
from tools.local.issuer import local_issuer
from tools.local.loopback import LOOPBACK
from tools.local.moto_patches import forget_delivered_records
from tools.local.price import save_local_dynamodb
from tools.local.stack import (
    LOCAL_STAGE,
    SAMPLE_CATALOG,
    SAMPLE_DELIVERY,
    SAMPLE_PROMOTIONS,
    SAMPLE_TAX,
    chalice_local,
    load_sample_rates,
    local_aws_environment,
    prepare_tables,
)
from tools.local.storefront import storefront_server
from tools.local.tables import create_tables
from tools.stage import stage_environment, stage_settings


def fresh_key_ring() -> str:
    """A key ring for this run only: cart and page tokens of an earlier run are refused."""
    kid = f"local-{secrets.token_hex(4)}"
    return f'{{"current": "{kid}", "{kid}": "{secrets.token_urlsafe(32)}"}}'


SWEEP_SECONDS = 60
"""How often interrupted merges and abandoned carts are looked for."""


@contextmanager
def moto_server() -> Iterator[str]:
    with dynamodb_server(int(os.environ.get("MOTO_PORT", "0"))) as endpoint:
        yield endpoint


def prepare_missing(client: Any, settings: Settings) -> str:
    """The tables that are missing, created; the sample catalog and promotions, loaded into
    empty tables (what is already there is the user's); what was done."""
    create_tables(client, settings)
    loaded = []
    if not client.scan(TableName=settings.products_table, Limit=1)["Items"]:
        load_catalog(client, settings, SAMPLE_CATALOG)
        loaded.append(SAMPLE_CATALOG.name)
    if not client.scan(TableName=settings.promotions_table, Limit=1)["Items"]:
        load_promotions(client, settings, SAMPLE_PROMOTIONS)
        loaded.append(SAMPLE_PROMOTIONS.name)
    if not client.scan(TableName=settings.rates_table, Limit=1)["Items"]:
        load_sample_rates(client, settings)
        loaded += [SAMPLE_DELIVERY.name, SAMPLE_TAX.name]
    return f"tables ready, {listed(loaded)} loaded" if loaded else "tables ready, their data kept"


def listed(names: list[str]) -> str:
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def print_events(relay: EventRelay, carts_table: str) -> None:
    """Every event that reached the bus since the last call, as one JSON line each; then
    the stream records delivered are forgotten (moto would keep them for ever)."""
    try:
        for event in relay.relay():
            print(json.dumps(event), flush=True)
        pump = relay.pump
        forget_delivered_records(carts_table, pump.delivered_through(), pump.iterators_in_use())
    except (StorageUnavailable, BotoCoreError, ClientError) as error:
        print(f"events: the local server did not answer ({error}); trying again", flush=True)


def sweep(merges: CartService, relay: EventRelay | None) -> None:
    """What the deployed sweeps do every minute (abandoned carts: every five): app.py's
    own functions, each writing its access line, or against a DynamoDB of the user's own
    (no stream, no events), the stalled-merge and lapsed-hold sweeps alone."""
    try:
        if relay is not None:
            relay.sweep()
            return
        for target in merges.finish_stalled_merges():
            print(f"finished the interrupted merge into cart {target}", flush=True)
        if units := merges.release_lapsed_holds():
            print(f"gave back {units} units of lapsed holds", flush=True)
    except StorageUnavailable:
        print("DynamoDB unavailable: sweeping again next minute", flush=True)


def main() -> None:
    port = int(os.environ.get("PORT", "8000"))
    api_auth = os.environ.get("API_AUTH") or stage_environment(LOCAL_STAGE)["API_AUTH"]
    EdgeSettings.from_environ({"API_AUTH": api_auth})  # refuses an unknown mode at once
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # HUP: a closed terminal
        signal.signal(stop_signal, request_stop)

    existing = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
    with (
        nullcontext(existing) if existing else moto_server() as endpoint,
        local_issuer() as issuer,
    ):
        environment = local_aws_environment(endpoint)
        if existing:  # credentials and region of the user's own, if set
            environment = {name: os.environ.get(name, v) for name, v in environment.items()}
        os.environ.update(environment)
        settings = stage_settings(LOCAL_STAGE)
        if os.environ.get("ABANDONED_AFTER_HOURS"):
            hours = float(os.environ["ABANDONED_AFTER_HOURS"])
            settings = settings._replace(abandoned_after_hours=hours)
        client = dynamodb_client(settings)
        if existing:
            loaded = prepare_missing(client, settings)
            print(f"DynamoDB at {endpoint} (AWS_ENDPOINT_URL_DYNAMODB); {loaded}")
        else:
            prepare_tables(client, settings)
            samples = listed(
                [p.name for p in (SAMPLE_CATALOG, SAMPLE_PROMOTIONS, SAMPLE_DELIVERY, SAMPLE_TAX)]
            )
            print(f"DynamoDB (moto) on {endpoint}; {samples} loaded")
        issuer.save()
        RUN_FILE.write_text(json.dumps({"pid": os.getpid()}))  # before chalice local watches
        save_local_dynamodb(settings, endpoint)
        sweeper = build(settings, client).carts
        relay = None if existing else EventRelay(endpoint, settings, tap_name="make-run")
        api_url = f"http://{LOOPBACK}:{port}"
        service_environment = {
            **environment,
            **issuer.verifier_environment(),
            "TOKEN_KEYS": fresh_key_ring(),
            "CATALOG_CACHE_SECONDS": "0",  # a catalog change (`make -s price`) shows at once
            "API_AUTH": api_auth,
            "PUBLIC_BASE_URL": api_url,  # what the UCP profile names: this run's own port
            OVERRIDES_VARIABLE: "API_AUTH,PUBLIC_BASE_URL",
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
            next_sweep = time.monotonic() + SWEEP_SECONDS
            while not stop.wait(0.5):
                if process.poll() is not None:
                    sys.exit(f"chalice local stopped with status {process.returncode}")
                if relay is not None:
                    print_events(relay, settings.carts_table)
                if time.monotonic() >= next_sweep:
                    next_sweep += SWEEP_SECONDS
                    sweep(sweeper, relay)
    print("stopped")


if __name__ == "__main__":
    main()
