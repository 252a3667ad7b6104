"""What promotions cost a read: get_cart of the same cart, in a warm container, with three
promotions applying to it (two codes entered and an automatic one) against none at all.
Both are one round trip (prices and promotions cached); the difference is pricing. The two
containers' samples alternate, so that the server's drift over the run falls on both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from bench.harness import Api, Figures
from bench.reads import Read, compare_reads, report
from tools.stage import stage_settings

CART = [("GRINDER-HAND", 1), ("GEISHA-250G", 2)]
"""127.00: over WELCOME10's and the automatic promotion's minimum, and GRINDER20's product."""
CODES = ("WELCOME10", "GRINDER20")
Container = TypeVar("Container")


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
    reads = {
        "with": Read(with_promotions, f"/carts/{cart}"),
        "without": Read(without, f"/carts/{cart}"),
    }
    medians, trips = compare_reads(api, client, reads, use)
    use(build())
    labels = {"with": f"with {applied} promotions applying", "without": "with no promotions"}
    report(figures, labels, medians, trips, f"get_cart with {applied} promotions against none")


def _warm(container: Container, use: Callable[[Container], None], api: Api, cart: str) -> Container:
    """A container whose cache holds the cart's prices and the promotions as they are now."""
    use(container)
    api.call("GET", f"/carts/{cart}")
    return container
