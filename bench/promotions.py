"""What promotions cost a read: get_cart of the same cart, in a warm container, with three
promotions applying to it (two codes entered and an automatic one) against none at all.
Both are one round trip (prices and promotions cached); the difference is pricing. The two
containers' samples alternate, so that the server's drift over the run falls on both."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from bench.calls import CallRecorder
from tools.stage import stage_settings

SAMPLES = 300
CART = [("GRINDER-HAND", 1), ("GEISHA-250G", 2)]
"""127.00: over WELCOME10's and the automatic promotion's minimum, and GRINDER20's product."""
CODES = ("WELCOME10", "GRINDER20")
Container = TypeVar("Container")


class Api(Protocol):
    def call(self, method: str, path: str, body: Any = None) -> Any: ...


class Figures(Protocol):
    def add(
        self, figure: str, value: Any, unit: str = "", target: str = "", met: bool | None = None
    ) -> None: ...


def measure_promotions(
    api: Api,
    client: Any,
    build: Callable[[], Container],
    use: Callable[[Container], None],
    figures: Figures,
) -> None:
    cart = api.call("POST", "/carts", {"customerId": "bench-promotions"})["cartId"]
    for product, quantity in CART:
        api.call("POST", f"/carts/{cart}/items", {"productId": product, "quantity": quantity})
    for code in CODES:
        api.call("POST", f"/carts/{cart}/discount-codes", {"code": code})
    with_promotions = _warm(build(), use, api, cart)
    applied = len(api.call("GET", f"/carts/{cart}")["discounts"])
    table = stage_settings("local").promotions_table
    saved = client.scan(TableName=table)["Items"]
    for item in saved:
        client.delete_item(TableName=table, Key={"promotionId": item["promotionId"]})
    try:
        without = _warm(build(), use, api, cart)  # caches the empty table
    finally:
        for item in saved:
            client.put_item(TableName=table, Item=item)
    times: dict[str, list[float]] = {"with": [], "without": []}
    for _ in range(SAMPLES):
        for name, container in (("with", with_promotions), ("without", without)):
            use(container)
            started = time.perf_counter()
            api.call("GET", f"/carts/{cart}")
            times[name].append(time.perf_counter() - started)
    trips = {}
    for name, container in (("with", with_promotions), ("without", without)):
        use(container)
        counter = CallRecorder(simulated_latency=0.005)
        counter.attach(client)
        with counter.recording():
            api.call("GET", f"/carts/{cart}")
        counter.detach(client)
        trips[name] = counter.round_trips
    use(build())
    medians = {name: statistics.median(samples) for name, samples in times.items()}
    for name, label in (("with", f"{applied} promotions applying"), ("without", "no promotions")):
        figures.add(f"get_cart with {label}: median", round(medians[name] * 1000, 3), "ms")
        figures.add(
            f"get_cart with {label}: round trips", trips[name], "", "exactly 1", trips[name] == 1
        )
    ratio = round(medians["with"] / medians["without"], 3)
    figures.add(
        f"get_cart with {applied} promotions against none",
        ratio,
        "x",
        "at most 1.15",
        ratio <= 1.15,
    )


def _warm(container: Container, use: Callable[[Container], None], api: Api, cart: str) -> Container:
    """A container whose cache holds the cart's prices and the promotions as they are now."""
    use(container)
    api.call("GET", f"/carts/{cart}")
    return container
