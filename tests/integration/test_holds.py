"""Holds through the functions: every change of a line of a held lot holds or gives back its
units, a hold that finds too few first gives back the lot's lapsed holds, and the sweep gives
back the rest. The guests' holds are set up through the service (unrecorded), so that each
function is seen to move their holders' counts as well (test_iam)."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.exceptions import ConnectionClosedError

from chalicelib import wiring
from chalicelib.domain.access import GUEST, Caller
from chalicelib.domain.clock import utc_now
from chalicelib.domain.commands import AddItem
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.dynamodb.holds import DynamoHoldSweep
from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.service.changes import RequestContext
from chalicelib.service.operations import CartService
from chalicelib.settings import Settings
from tests.integration.clients import Api, Functions
from tools.deploy.policies import HOLDS_SWEEP

FLASH = Product("FLASH", "Flash sale", Money(Decimal("10.00"), "USD"), (2, 2), 2, hold_minutes=15)
"""Four units over two shards, two a cart, held for 15 minutes."""
BRIEF = FLASH._replace(product_id="BRIEF", name="Brief sale", hold_minutes=1 / 60)
"""The same, held for one second: its holds lapse within a test."""


@pytest.fixture
def held_by(dynamodb: Any, settings: Settings) -> Callable[[str], int]:
    """The units a holder holds, as its count is stored (read unrecorded)."""

    def count(holder: str) -> int:
        key = {"holder": {"S": holder}}
        item = dynamodb.get_item(TableName=settings.hold_counts_table, Key=key).get("Item")
        return int(item["units"]["N"]) if item else 0

    return count


@pytest.fixture
def service(dynamodb: Any, settings: Settings) -> CartService:
    """The service as a guest's browser reaches it, for setting up holds (unrecorded)."""
    DynamoProductRepository(dynamodb, settings.products_table, settings.stock_table).put_many(
        [FLASH, BRIEF]
    )
    return wiring.build(settings, dynamodb).carts


NEW = {"customerId": "customer-42"}


def guest_hold(
    service: CartService, functions: Functions, quantity: int, address: str, lot: str = "FLASH"
) -> str:
    """A cart whose guest, from `address`, holds `quantity` of the lot."""
    cart = functions.invoke("create_cart", NEW)["cartId"]
    context = RequestContext(Caller(GUEST, None, cart), client_address=address)
    held = service.add_item(cart, AddItem(lot, quantity), context)
    assert held.cart.holds[lot].holder == f"address:{address}"
    return str(cart)


def held_until(view: dict[str, Any], lot: str = "FLASH") -> str | None:
    line = next(item for item in view["items"] if item["productId"] == lot)
    return None if line["heldUntil"] is None else str(line["heldUntil"])


def lapse() -> None:
    """Past a one-second hold's deadline (a whole second, rounded up)."""
    time.sleep(2.1)


def test_each_change_of_a_line_holds_or_gives_back_its_units(
    service: CartService, functions: Functions
) -> None:
    cart = functions.invoke("create_cart", NEW)["cartId"]
    added = functions.invoke("add_item", {"cartId": cart, "productId": "FLASH", "quantity": 1})
    assert held_until(added) is not None
    added = functions.invoke("add_item", {"cartId": cart, "productId": "FLASH", "quantity": 1})
    assert held_until(added) is not None
    other = functions.invoke("create_cart", NEW)["cartId"]
    batch = {"cartId": other, "operations": [{"op": "add", "productId": "FLASH", "quantity": 2}]}
    assert held_until(functions.invoke("change_items", batch)) is not None
    refused = functions.invoke("add_item", {"cartId": other, "productId": "FLASH", "quantity": 1})
    assert refused["code"] == "QUANTITY_LIMIT"
    third = functions.invoke("create_cart", NEW)["cartId"]
    short = functions.invoke("add_item", {"cartId": third, "productId": "FLASH", "quantity": 1})
    assert (short["status"], short["code"]) == (409, "INSUFFICIENT_STOCK")
    assert short["warnings"] == [
        {"code": "INSUFFICIENT_STOCK", "productId": "FLASH", "available": 0}
    ]
    lowered = functions.invoke(
        "update_cart_item", {"cartId": cart, "productId": "FLASH", "quantity": 1}
    )
    assert [item["quantity"] for item in lowered["items"]] == [1]
    taken = functions.invoke("add_item", {"cartId": third, "productId": "FLASH", "quantity": 1})
    assert held_until(taken) is not None  # the unit the lowered line gave back
    functions.invoke("remove_item", {"cartId": cart, "productId": "FLASH"})
    checked_out = functions.invoke("checkout", {"cartId": third})
    assert checked_out["status"] == "CHECKED_OUT"


def test_a_guests_holds_come_back_from_a_removal_a_deletion_a_merge_and_a_checkout(
    service: CartService, functions: Functions, held_by: Callable[[str], int]
) -> None:
    removed = guest_hold(service, functions, 1, "198.51.100.1")
    functions.invoke("remove_item", {"cartId": removed, "productId": "FLASH"})
    deleted = guest_hold(service, functions, 1, "198.51.100.1")
    assert functions.invoke("delete_cart", {"cartId": deleted}) is None
    target = guest_hold(service, functions, 1, "198.51.100.2")
    source = guest_hold(service, functions, 1, "198.51.100.3")
    merged = functions.invoke("merge_carts", {"cartId": target, "sourceCartId": source})
    assert [item["quantity"] for item in merged["items"]] == [2]
    assert held_until(merged) is not None
    assert held_by("address:198.51.100.2") == 2  # the target's guest holds both now
    checked_out = functions.invoke("checkout", {"cartId": target})
    assert checked_out["status"] == "CHECKED_OUT"
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        assert held_by(f"address:{address}") == 0, address


@pytest.mark.parametrize("function", ["add_item", "change_items", "update_cart_item"])
def test_a_hold_that_finds_too_few_gives_back_the_lots_lapsed_holds_first(
    service: CartService, functions: Functions, held_by: Callable[[str], int], function: str
) -> None:
    cart = functions.invoke("create_cart", NEW)["cartId"]
    own = 0
    if function == "update_cart_item":  # its line holds 1, and is raised to 2
        functions.invoke("add_item", {"cartId": cart, "productId": "BRIEF", "quantity": 1})
        own = 1
    guest_hold(service, functions, 2, "198.51.100.4", "BRIEF")
    guest_hold(service, functions, 2 - own, "198.51.100.5", "BRIEF")
    lapse()
    line = {"productId": "BRIEF", "quantity": 2}
    payload = {
        "add_item": {"cartId": cart, **line},
        "change_items": {"cartId": cart, "operations": [{"op": "add", **line}]},
        "update_cart_item": {"cartId": cart, **line},
    }[function]
    view = functions.invoke(function, payload)
    assert held_until(view, "BRIEF") is not None, view
    assert held_by("address:198.51.100.4") == 0


def test_a_checkout_short_of_units_gives_back_the_lots_lapsed_holds_first(
    service: CartService,
    functions: Functions,
    held_by: Callable[[str], int],
    dynamodb: Any,
    settings: Settings,
) -> None:
    """A line added past its guest's cap holds nothing: its checkout takes the units, here
    the ones that lapsed holds give back."""
    capped = functions.invoke("create_cart", NEW)["cartId"]
    guest = RequestContext(Caller(GUEST, None, capped), client_address="198.51.100.6")
    one_each = wiring.build(settings._replace(holds_per_address=1), dynamodb).carts
    unheld = one_each.add_item(capped, AddItem("BRIEF", 2), guest)
    assert unheld.held_until("BRIEF") is None and held_by("address:198.51.100.6") == 0
    guest_hold(service, functions, 2, "198.51.100.7", "BRIEF")
    guest_hold(service, functions, 2, "198.51.100.8", "BRIEF")
    lapse()
    assert functions.invoke("checkout", {"cartId": capped})["status"] == "CHECKED_OUT"
    assert held_by("address:198.51.100.7") == 0


def test_the_sweep_gives_back_every_lapsed_hold(
    service: CartService,
    functions: Functions,
    chalice_client: Any,
    held_by: Callable[[str], int],
) -> None:
    cart = guest_hold(service, functions, 2, "198.51.100.9", "BRIEF")
    lapse()
    event = chalice_client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    with functions.recorder.calling_as(HOLDS_SWEEP):
        chalice_client.lambda_.invoke(HOLDS_SWEEP, event)
    view = functions.invoke("get_cart", {"cartId": cart})
    assert held_until(view, "BRIEF") is None
    assert [w["code"] for w in view["warnings"]] == ["HOLD_EXPIRED"]
    assert held_by("address:198.51.100.9") == 0


def test_a_rest_change_reclaims_a_guests_lapsed_holds_too(
    service: CartService, functions: Functions, api: Api, held_by: Callable[[str], int]
) -> None:
    guest_hold(service, functions, 2, "198.51.100.10", "BRIEF")
    guest_hold(service, functions, 2, "198.51.100.11", "BRIEF")
    lapse()
    cart = api.new_cart()
    added = api.call("POST", f"/carts/{cart}/items", {"productId": "BRIEF", "quantity": 2})
    assert added.status_code == 200, added.json
    assert held_until(added.json, "BRIEF") is not None
    assert held_by("address:198.51.100.10") == held_by("address:198.51.100.11") == 0


def test_a_cart_at_the_line_limit_checks_out_in_steps(
    api: Api, dynamodb: Any, settings: Settings
) -> None:
    """100 lines of counted products, a limited code and a receipt: more than one
    transaction holds, so the checkout holds the units in a step first, then converts
    them with the rest; its keyed retry takes nothing again."""
    catalog = DynamoProductRepository(dynamodb, settings.products_table, settings.stock_table)
    steps = [
        Product(f"STEP-{n:03}", "Step", Money(Decimal("1.00"), "USD"), (1,)) for n in range(100)
    ]
    catalog.put_many(steps)
    cart = api.new_cart()
    api.fill(cart, [product.product_id for product in steps])
    assert api.call("POST", f"/carts/{cart}/discount-codes", {"code": "STAFF30"}).status_code == 200
    keyed = {"Idempotency-Key": "checkout-in-steps"}
    checked_out = api.call("POST", f"/carts/{cart}/checkout", {}, keyed)
    assert checked_out.status_code == 200, checked_out.json
    assert (checked_out.json["status"], checked_out.json["itemCount"]) == ("CHECKED_OUT", 100)
    assert checked_out.json["discounts"][0]["code"] == "STAFF30"
    levels = catalog.get_many([product.product_id for product in steps])
    assert {product.stock for product in levels.values()} == {0}
    replayed = api.call("POST", f"/carts/{cart}/checkout", {}, keyed)
    assert replayed.json == checked_out.json
    assert {p.stock for p in catalog.get_many([p.product_id for p in steps]).values()} == {0}


@contextmanager
def mark_answer_lost_then_sweep(
    client: Any, bystander: Any, sweep: DynamoHoldSweep
) -> Iterator[None]:
    """The first UpdateItem of `client` (a delete's mark) is applied, by the bystander, and
    its answer lost: botocore retries it. The sweep of lapsed holds then runs, by the
    bystander, just before `client` sends its next transaction."""
    sent: dict[str, Any] = {}
    lost: list[str] = []

    def keep(params: dict[str, Any], **_: Any) -> None:
        sent.update(params)

    def apply_and_lose(request: Any, **_: Any) -> None:
        if not lost:
            lost.append("UpdateItem")
            bystander.update_item(**sent)
            raise ConnectionClosedError(endpoint_url=request.url)

    def sweep_first(**_: Any) -> None:
        if lost == ["UpdateItem"]:
            lost.append("swept")
            sweep.release_lapsed(utc_now())

    handlers = [
        ("provide-client-params.dynamodb.UpdateItem", keep),
        ("before-send.dynamodb.UpdateItem", apply_and_lose),
        ("before-send.dynamodb.TransactWriteItems", sweep_first),
    ]
    for event, handler in handlers:
        client.meta.events.register_first(event, handler)
    try:
        yield
    finally:
        for event, handler in handlers:
            client.meta.events.unregister(event, handler)
    assert lost == ["UpdateItem", "swept"]


def test_a_delete_retried_after_a_lost_answer_gives_units_back_once_with_the_sweep_first(
    service: CartService,
    functions: Functions,
    held_by: Callable[[str], int],
    dynamodb: Any,
    settings: Settings,
) -> None:
    """The sweep gives back a deleted cart's units as soon as its mark is written; the
    delete, whose mark botocore retried, must not give them back again."""
    products = DynamoProductRepository(dynamodb, settings.products_table, settings.stock_table)

    def available() -> int | None:
        return products.get_many(["FLASH"], {"FLASH": 2})["FLASH"].stock

    start = available()
    assert start is not None
    cart = guest_hold(service, functions, 2, "198.51.100.12")
    assert available() == start - 2
    bystander = wiring.dynamodb_client(settings, boto3.session.Session())
    sweep = DynamoHoldSweep(
        bystander, settings.carts_table, settings.stock_table, settings.hold_counts_table
    )
    with mark_answer_lost_then_sweep(dynamodb, bystander, sweep):
        assert functions.invoke("delete_cart", {"cartId": cart}) is None
    assert available() == start
    assert held_by("address:198.51.100.12") == 0
