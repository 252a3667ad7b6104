"""What promotions cost a read: get_cart of the same cart, in a warm container, with three
promotions applying to it (two codes entered and an automatic one) against none at all.
Both are one round trip (prices and promotions cached); the difference is pricing."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any, Protocol

from bench.calls import CallRecorder
from tools.stage import stage_settings

SAMPLES = 300
CART = [("GRINDER-HAND", 1), ("GEISHA-250G", 2)]
"""127.00: over WELCOME10's and the automatic promotion's minimum, and GRINDER20's product."""
CODES = ("WELCOME10", "GRINDER20")


class Api(Protocol):
    def call(self, method: str, path: str, body: Any = None) -> Any: ...


class Figures(Protocol):
    def add(
        self, figure: str, value: Any, unit: str = "", target: str = "", met: bool | None = None
    ) -> None: ...


def measure_promotions(
    api: Api, client: Any, new_container: Callable[[], None], figures: Figures
) -> None:
    cart = api.call("POST", "/carts", {"customerId": "bench-promotions"})["cartId"]
    for product, quantity in CART:
        api.call("POST", f"/carts/{cart}/items", {"productId": product, "quantity": quantity})
    for code in CODES:
        api.call("POST", f"/carts/{cart}/discount-codes", {"code": code})
    with_three = _timed_reads(api, cart, client)
    applied = len(api.call("GET", f"/carts/{cart}")["discounts"])
    table = stage_settings("local").promotions_table
    saved = client.scan(TableName=table)["Items"]
    for item in saved:
        client.delete_item(TableName=table, Key={"promotionId": item["promotionId"]})
    new_container()  # nothing cached: the empty table is read once
    try:
        without = _timed_reads(api, cart, client)
    finally:
        for item in saved:
            client.put_item(TableName=table, Item=item)
        new_container()
    for label, (median, trips) in (
        (f"{applied} promotions applying", with_three),
        ("no promotions", without),
    ):
        figures.add(f"get_cart with {label}: median", round(median * 1000, 3), "ms", "", None)
        figures.add(f"get_cart with {label}: round trips", trips, "", "exactly 1", trips == 1)
    ratio = round(with_three[0] / without[0], 3)
    figures.add(
        "get_cart with 3 promotions against none", ratio, "x", "at most 1.15", ratio <= 1.15
    )


def _timed_reads(api: Api, cart: str, client: Any) -> tuple[float, int]:
    """The median time of get_cart in a warm container, and its round trips."""
    api.call("GET", f"/carts/{cart}")  # prices and promotions cached
    counter = CallRecorder(simulated_latency=0.005)
    counter.attach(client)
    with counter.recording():
        api.call("GET", f"/carts/{cart}")
    counter.detach(client)
    times = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        api.call("GET", f"/carts/{cart}")
        times.append(time.perf_counter() - started)
    return statistics.median(times), counter.round_trips
