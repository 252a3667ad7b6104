"""Under load: the event stream's consumer per change, and a storefront mix over HTTP
against chalice local."""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter

import requests

from bench.harness import Api, Figures, percentile
from chalicelib.settings import Settings
from tools.local.event_stream import EventRelay
from tools.local.stack import (
    chalice_local,
    free_port,
)

EVENT_CARTS = 25
"""Carts of the events figure: each is created, gets 3 lines and is checked out."""


THROUGHPUT_SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))


CLIENTS = 8


def measure_events(api: Api, endpoint: str, settings: Settings, figures: Figures) -> None:
    """The stream consumer, off the request path (the round trips and overheads above are
    the requests'): how many events a committed change yields, and what the consumer calls
    and spends per change, on a fresh stream."""
    relay = EventRelay(endpoint, settings, tap_name="bench")
    calls: Counter[str] = Counter()
    for events_client in relay.clients:
        events_client.meta.events.register(
            "before-call", lambda model, **_: calls.update([model.name])
        )
    for cart in [api.cart_with_lines(3) for _ in range(EVENT_CARTS)]:
        api.call("POST", f"/carts/{cart}/checkout")
    changes = EVENT_CARTS * 5
    started = time.perf_counter()
    relay.pump.pump()
    elapsed = time.perf_counter() - started
    published = relay.tap.drain()
    distinct = len({event["detail"]["eventId"] for event in published})
    figures.add(
        f"events: distinct eventIds per committed change ({changes} changes)",
        round(distinct / changes, 3),
        "",
        "exactly 1",
        distinct == changes,
    )
    figures.add(
        "events: delivered twice (a batch the consumer reported failed, sent again)",
        len(published) - distinct,
    )
    figures.add(
        "events: PutEvents calls per 100 changes", round(calls["PutEvents"] * 100 / changes)
    )
    figures.add(
        "events: the consumer's DynamoDB writes per change (the abandonment index)",
        round(calls["UpdateItem"] / changes, 2),
    )
    figures.add(
        "events: the consumer's time per change, batches of 100 (moto)",
        round(elapsed * 1000 / changes, 2),
        "ms",
    )


def measure_throughput(environment: dict[str, str], figures: Figures) -> None:
    port = free_port()
    with open(os.devnull, "wb") as quiet, chalice_local(port, environment, output=quiet):
        base = f"http://127.0.0.1:{port}"
        latencies: list[float] = []
        errors = 0
        lock = threading.Lock()
        deadline = time.monotonic() + THROUGHPUT_SECONDS

        def client(seed: int) -> None:
            nonlocal errors
            rng = random.Random(seed)
            with requests.Session() as session:
                cart = session.post(f"{base}/carts", json={"customerId": f"load-{seed}"}).json()[
                    "cartId"
                ]
                for product in ("ESP-1KG", "FILTER-100", "MUG-CER"):
                    session.post(
                        f"{base}/carts/{cart}/items", json={"productId": product, "quantity": 1}
                    )
                while time.monotonic() < deadline:
                    roll = rng.random()
                    started = time.perf_counter()
                    if roll < 0.7:
                        response = session.get(f"{base}/carts/{cart}")
                    elif roll < 0.9:
                        product = rng.choice(("ESP-1KG", "FILTER-100", "MUG-CER", "SCALE-01"))
                        response = session.post(
                            f"{base}/carts/{cart}/items", json={"productId": product, "quantity": 1}
                        )
                    else:
                        response = session.put(
                            f"{base}/carts/{cart}/items/ESP-1KG",
                            json={"quantity": rng.randint(1, 5)},
                        )
                    elapsed = time.perf_counter() - started
                    with lock:
                        latencies.append(elapsed)
                        errors += response.status_code >= 500

        started = time.monotonic()
        threads = [threading.Thread(target=client, args=(seed,)) for seed in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
    latencies.sort()
    figures.add(
        "throughput: storefront mix, 8 clients, chalice local + moto",
        round(len(latencies) / wall, 1),
        "requests/s",
    )
    figures.add("throughput: p50 latency", round(percentile(latencies, 50) * 1000, 1), "ms")
    figures.add("throughput: p99 latency", round(percentile(latencies, 99) * 1000, 1), "ms")
    figures.add("throughput: server errors", errors, "", "0", errors == 0)
