"""The request path: DynamoDB round trips per operation, what an Idempotency-Key adds,
each operation's time against the very same DynamoDB calls made bare, and a token check."""

from __future__ import annotations

import functools
import os
import statistics
import sys
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError, ReadTimeoutError

from bench.calls import BareReplay, CallRecorder
from bench.harness import Api, Figures, timed
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.service import cart_tokens
from chalicelib.service.keys import KeyRing
from tools.local.stack import (
    LOCAL_STAGE,
)
from tools.stage import stage_settings

ROUND_TRIP_TARGETS = {
    "create_cart": 1,
    "get_cart (prices cached)": 1,
    "get_cart (prices not cached)": 2,
    "add_item": 2,
    "update_cart_item": 2,
    "remove_item": 2,
    "change_items (20 operations)": 2,
    "delete_cart (100 lines)": 3,
    "apply_discount_code (accepted)": 2,
    "apply_discount_code (refused)": 1,
    "add_item (a held lot)": 2,
    "checkout (a counted product's units taken)": 3,
    "checkout (a held lot converted)": 3,
    "create_cart (keyed)": 1,
    "add_item (keyed)": 2,
    "update_cart_item (keyed)": 2,
    "remove_item (keyed)": 2,
    "change_items (keyed)": 2,
    "checkout (keyed)": 3,
}
"""A code's guessing counts cost none: counted while the cart is read, and an accepted code
taken back while the change is written. A checkout reads the cart, then the current prices
with their stock, then writes: its units are taken in that same write. Adding a held lot
reads its stock alongside the cart, then holds the units with the line in one write; its
checkout converts the hold in its own. A keyed change's answer is in its receipt, written
with the change: a keyed add, quantity change or removal is decided on a read (2, as
without a key), and no keyed change writes its answer after it."""


BATCH = {
    "operations": [
        {"op": "add", "productId": "SCALE-01", "quantity": 1},
        {"op": "set", "productId": "ESP-1KG", "quantity": 2},
        {"op": "add", "productId": "FILTER-100", "quantity": 1},
        {"op": "add", "productId": "MUG-CER", "quantity": 1},
    ]
    * 5
}
"""A 20-operation batch on a cart of 3 lines (ESP-1KG, FILTER-100, MUG-CER)."""


OVERHEAD_SAMPLES = int(os.environ.get("BENCH_SAMPLES", "100"))


TOKEN_CHECKS = 1000


def measure_round_trips(
    api: Api, client: Any, new_container: Callable[[], None], figures: Figures
) -> None:
    counter = CallRecorder(simulated_latency=0.005)
    counter.attach(client)

    def count(
        method: str, path: str, body: Any = None, refused: bool = False, keyed: bool = False
    ) -> int:
        headers = {"Idempotency-Key": str(uuid.uuid4())} if keyed else None
        with counter.recording():
            try:
                api.call(method, path, body, headers)
            except RuntimeError:  # the harness's non-2xx
                if not refused:
                    raise
        return counter.round_trips

    cart = api.cart_with_lines(3)
    api.call("GET", f"/carts/{cart}")
    api.call("PATCH", f"/carts/{api.cart_with_lines(3)}/items", BATCH)  # its prices cached too
    counts = {
        "create_cart": count("POST", "/carts", {"customerId": "bench"}),
        "get_cart (prices cached)": count("GET", f"/carts/{cart}"),
        "add_item": count("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 1}),
        "update_cart_item": count("PUT", f"/carts/{cart}/items/ESP-1KG", {"quantity": 3}),
        "change_items (20 operations)": count("PATCH", f"/carts/{cart}/items", BATCH),
        "remove_item": count("DELETE", f"/carts/{cart}/items/MUG-CER"),
        "apply_discount_code (refused)": count(
            "POST", f"/carts/{cart}/discount-codes", {"code": "NOPE"}, refused=True
        ),
        "apply_discount_code (accepted)": count(
            "POST", f"/carts/{cart}/discount-codes", {"code": "WELCOME10"}
        ),
    }
    bought = api.cart_with_lines(2)
    api.call("POST", f"/carts/{bought}/items", {"productId": "GRINDER-HAND", "quantity": 1})
    counts["checkout (a counted product's units taken)"] = count(
        "POST", f"/carts/{bought}/checkout", {}
    )
    held = api.cart_with_lines(2)
    geisha = {"productId": "GEISHA-250G", "quantity": 1}
    api.call("POST", f"/carts/{api.cart_with_lines(1)}/items", geisha)  # its price cached
    counts["add_item (a held lot)"] = count("POST", f"/carts/{held}/items", geisha)
    counts["checkout (a held lot converted)"] = count("POST", f"/carts/{held}/checkout", {})
    keyed = api.cart_with_lines(3)
    counts["create_cart (keyed)"] = count("POST", "/carts", {"customerId": "bench"}, keyed=True)
    counts["add_item (keyed)"] = count(
        "POST", f"/carts/{keyed}/items", {"productId": "ESP-1KG", "quantity": 1}, keyed=True
    )
    counts["update_cart_item (keyed)"] = count(
        "PUT", f"/carts/{keyed}/items/ESP-1KG", {"quantity": 3}, keyed=True
    )
    counts["change_items (keyed)"] = count("PATCH", f"/carts/{keyed}/items", BATCH, keyed=True)
    counts["remove_item (keyed)"] = count("DELETE", f"/carts/{keyed}/items/MUG-CER", keyed=True)
    counts["checkout (keyed)"] = count("POST", f"/carts/{keyed}/checkout", {}, keyed=True)
    new_container()  # no prices cached
    counts["get_cart (prices not cached)"] = count("GET", f"/carts/{cart}")
    full = api.call("POST", "/carts", {"customerId": "bench"})["cartId"]
    bulk = [f"BENCH-{i}" for i in range(100)]
    load_products(client, bulk)
    for product in bulk:
        api.call("POST", f"/carts/{full}/items", {"productId": product, "quantity": 1})
    counts["delete_cart (100 lines)"] = count("DELETE", f"/carts/{full}")
    counter.detach(client)
    for name, target in ROUND_TRIP_TARGETS.items():
        op = "at most" if name.startswith("delete") else "exactly"
        met = counts[name] <= target if op == "at most" else counts[name] == target
        figures.add(f"round trips: {name}", counts[name], "", f"{op} {target}", met)


def load_products(client: Any, product_ids: list[str]) -> None:
    settings = stage_settings(LOCAL_STAGE)
    DynamoProductRepository(client, settings.products_table, settings.stock_table).put_many(
        Product(pid, "Bench product", Money(Decimal("1.00"), "USD")) for pid in product_ids
    )


def measure_overhead(api: Api, client: Any, bare_client: Any, figures: Figures) -> None:
    """Median time of each operation through the app / median time of the very same
    DynamoDB requests made with a bare boto3 client (bench.calls.replay)."""
    recorder = CallRecorder()
    recorder.attach(client)
    bare = BareReplay(bare_client)
    operations: dict[str, tuple[str, str, Any]] = {
        "get_cart": ("GET", "/carts/{cart}", None),
        "add_item": ("POST", "/carts/{cart}/items", {"productId": "SCALE-01", "quantity": 1}),
        "update_cart_item": ("PUT", "/carts/{cart}/items/ESP-1KG", {"quantity": 4}),
        "remove_item": ("DELETE", "/carts/{cart}/items/MUG-CER", None),
        "change_items (20 operations)": ("PATCH", "/carts/{cart}/items", BATCH),
        "delete_cart": ("DELETE", "/carts/{cart}", None),
        "create_cart": ("POST", "/carts", {"customerId": "bench"}),
    }
    for name, (method, path, body) in operations.items():
        app_times: list[float] = []
        bare_times: list[float] = []
        while len(bare_times) < OVERHEAD_SAMPLES:
            if name == "create_cart":
                ours = theirs = ""
            else:
                ours, theirs = api.cart_with_lines(3), api.cart_with_lines(3)
                api.call("GET", f"/carts/{ours}")  # a warm container: prices cached
            with recorder.recording():
                answer, seconds = api.timed_call(method, path.format(cart=ours), body)
                app_times.append(seconds)
            if name == "create_cart":  # the same request, for a cart that does not exist yet
                ours, theirs = answer["cartId"], str(uuid.uuid4())
            try:
                bare_times.append(bare.seconds(recorder.waves, ours, theirs))
            except (ClientError, ReadTimeoutError) as error:  # the yardstick failed: again
                print(f"replay of {name} failed ({error}); sampled again", file=sys.stderr)
                app_times.pop()
            if name != "delete_cart":  # keep the tables small: moto copies them per write
                for cart in (ours, theirs):
                    api.call("DELETE", f"/carts/{cart}")
        add_overhead(figures, name, app_times, bare_times)


def add_overhead(
    figures: Figures, name: str, app_times: list[float], bare_times: list[float]
) -> None:
    """The figure of an overhead: the app's median time over the bare requests' median."""
    app, bare = statistics.median(app_times), statistics.median(bare_times)
    ratio = round(app / bare, 3)
    figures.add(
        f"overhead: {name} (app {app * 1000:.2f} ms / same requests bare {bare * 1000:.2f} ms)",
        ratio,
        "x",
        "at most 1.15",
        ratio <= 1.15,
    )


def measure_token_checks(key_ring: str, figures: Figures) -> None:
    """What checking a token costs per request once the issuer's keys are cached, as in a
    warm authorizer: a shopper's ID token (RS256) and a guest's cart token."""
    from chalicelib.edge.auth import TokenVerifier
    from tools.local.issuer import local_issuer

    keys = KeyRing.parse(key_ring)
    with local_issuer() as issuer:
        environment = issuer.verifier_environment()
        verifier = TokenVerifier(
            environment["SHOPPER_ISSUER"], environment["SHOPPER_AUDIENCE"], lambda: keys
        )
        tokens = {
            "shopper token (RS256 JWT)": f"Bearer {issuer.token('bench')}",
            "cart token (HMAC)": f"Bearer {cart_tokens.issue(str(uuid.uuid4()), keys)}",
        }
        for kind, header in tokens.items():
            verifier.caller(header)  # fetches and caches the issuer's keys, imports PyJWT
            seconds = statistics.median(
                timed(functools.partial(verifier.caller, header)) for _ in range(TOKEN_CHECKS)
            )
            figures.add(
                f"token check per request, cache warm: {kind}",
                round(seconds * 1000, 3),
                "ms",
                "at most 1",
                seconds <= 0.001,
            )
