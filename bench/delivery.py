"""What an address costs a read: get_cart of two carts with the same lines in one warm
container, one delivered to California (delivery options, the option chosen, sales tax per
line) and one without an address. Both are one round trip with the prices, promotions and
rates cached, and two without; the difference is working out delivery and tax."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from bench.calls import CallRecorder
from bench.harness import Api, Figures
from bench.reads import Read, compare_reads, report

LINES = [("GRINDER-BURR", 1), ("ESP-1KG", 2), ("MUG-CER", 3)]
CALIFORNIA = {"country": "US", "region": "CA", "postalCode": "94103"}
Container = TypeVar("Container")


def measure_delivery(
    api: Api,
    client: Any,
    build: Callable[[], Container],
    use: Callable[[Container], None],
    figures: Figures,
) -> None:
    carts = {}
    for name in ("with", "without"):
        cart = api.call("POST", "/carts", {"customerId": f"bench-delivery-{name}"})["cartId"]
        for product, quantity in LINES:
            api.call("POST", f"/carts/{cart}/items", {"productId": product, "quantity": quantity})
        carts[name] = f"/carts/{cart}"
    api.call("PATCH", carts["with"], {"deliveryAddress": CALIFORNIA})
    uncached = build()  # a new container: nothing cached
    use(uncached)
    counter = CallRecorder(simulated_latency=0.005)
    counter.attach(client)
    with counter.recording():
        api.call("GET", carts["with"])
    counter.detach(client)
    figures.add(
        "get_cart with an address: round trips, nothing cached",
        counter.round_trips,
        "",
        "exactly 2",
        counter.round_trips == 2,
    )
    warm = build()
    use(warm)
    for path in carts.values():
        api.call("GET", path)
    reads = {name: Read(warm, path) for name, path in carts.items()}
    medians, trips = compare_reads(api, client, reads, use)
    use(build())
    labels = {"with": "with an address (delivery and tax)", "without": "without an address"}
    report(figures, labels, medians, trips, "get_cart with an address against without one")
