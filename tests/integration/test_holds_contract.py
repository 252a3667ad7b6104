"""Holds, one behaviour on two repositories: what a change holds is written with it (the
units out of stock, the holder's count within its cap), and what lapses, or a deleted cart
held, comes back; the DynamoDB adapter (on moto) answers as the in-memory one."""

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

import pytest

from chalicelib import wiring
from chalicelib.domain.cart import Cart
from chalicelib.domain.change import Change
from chalicelib.domain.errors import HoldCapReached
from chalicelib.domain.events import ITEM_ADDED
from chalicelib.domain.holds import Holder, rehold
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.domain.warnings import HOLD_EXPIRED
from chalicelib.dynamodb.holds import DynamoHoldSweep
from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.service.ports import CartRepository, Decided, HoldSweep, ProductRepository
from chalicelib.settings import Settings
from tests.fakes import InMemoryCartRepository, InMemoryProductRepository

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
LOT = Product(
    "HELD-LOT", "Held lot", Money(Decimal("30.00"), "USD"), (3, 3), max_per_cart=3, hold_minutes=5
)
GUEST = Holder("address:192.0.2.7", 4)


def at(seconds: float, holder: Holder | None = GUEST) -> Change:
    now = T0 + timedelta(seconds=seconds)
    return Change(now, (now + timedelta(days=30)).replace(microsecond=0), holder=holder)


class Holding(NamedTuple):
    carts: CartRepository
    stock: ProductRepository
    sweep: HoldSweep
    counts: Any
    """The units a holder holds, as stored: holder -> int."""


@pytest.fixture(params=["in-memory", "dynamodb"])
def holding(request: pytest.FixtureRequest) -> Iterator[Holding]:
    if request.param == "in-memory":
        stock = InMemoryProductRepository()
        carts = InMemoryCartRepository(stock=stock)
        yield Holding(carts, stock, carts.sweep, lambda key: carts.hold_counts.get(key, 0))
        return
    client: Any = request.getfixturevalue("dynamodb")
    settings: Settings = request.getfixturevalue("settings")

    def count(key: str) -> int:
        item = client.get_item(
            TableName=settings.hold_counts_table, Key={"holder": {"S": key}}
        ).get("Item")
        return int(item["units"]["N"]) if item else 0

    yield Holding(
        wiring.cart_repository(settings, client),
        DynamoProductRepository(client, settings.products_table, settings.stock_table),
        DynamoHoldSweep(
            client, settings.carts_table, settings.stock_table, settings.hold_counts_table
        ),
        count,
    )


def held_cart(holding: Holding, quantity: int, change: Change, cart_id: str = "held-1") -> Cart:
    holder = change.holder
    """A new cart, then `quantity` of the lot added to it, holding them, as the service does."""
    holding.stock.put_many([LOT])
    holding.carts.create(Cart(cart_id, None, "USD", T0, T0, change.expires_at), at(0))
    cart = holding.carts.get(cart_id, T0)
    after = copy.deepcopy(cart)
    after.add(LOT, quantity, change)
    catalog = holding.stock.get_many(["HELD-LOT"])
    wanted = {"HELD-LOT": quantity}
    after.holds, held = rehold({}, {}, wanted, catalog, change.now, holder, True, None)
    decided = Decided(cart, after, ITEM_ADDED, "HELD-LOT", takes=held.takes, counts=held.counts)
    return holding.carts.save(decided, change)


def left(holding: Holding) -> int:
    stock = holding.stock.get_many(["HELD-LOT"])["HELD-LOT"].stock
    assert stock is not None
    return stock


def test_a_hold_takes_its_units_with_the_add_and_counts_them_against_its_holder(
    holding: Holding,
) -> None:
    cart = held_cart(holding, 3, at(1))
    stored = holding.carts.get(cart.cart_id, T0)
    assert stored.holds["HELD-LOT"].units == 3
    assert stored.holds["HELD-LOT"].until == T0 + timedelta(seconds=1, minutes=5)
    assert (left(holding), holding.counts(GUEST.key)) == (3, 3)


def test_a_hold_past_its_holders_cap_changes_nothing(holding: Holding) -> None:
    held_cart(holding, 3, at(1), "held-1")
    with pytest.raises(HoldCapReached):
        held_cart(holding, 2, at(2), "held-2")
    assert holding.carts.get("held-2", T0).lines == []
    assert (left(holding), holding.counts(GUEST.key)) == (3, 3)


def test_a_first_hold_past_its_holders_cap_changes_nothing(holding: Holding) -> None:
    small = at(1, Holder(GUEST.key, 2))
    with pytest.raises(HoldCapReached):
        held_cart(holding, 3, small)
    assert (left(holding), holding.counts(GUEST.key)) == (6, 0)


def test_lapsed_holds_come_back_and_their_lines_warn(holding: Holding) -> None:
    cart = held_cart(holding, 2, at(1))
    assert holding.sweep.release_lapsed(T0 + timedelta(minutes=4)) == 0
    lapsed = T0 + timedelta(minutes=6)
    assert holding.sweep.release_lapsed(lapsed, "HELD-LOT") == 2
    assert (left(holding), holding.counts(GUEST.key)) == (6, 0)
    stored = holding.carts.get(cart.cart_id, lapsed)
    assert stored.version == cart.version + 1  # a change decided on the hold reads again
    assert stored.holds["HELD-LOT"].units == 0
    assert [w.code for w in stored.warnings(holding.stock.get_many(["HELD-LOT"]), lapsed)] == [
        HOLD_EXPIRED
    ]
    assert holding.sweep.release_lapsed(lapsed) == 0  # given back once


def test_a_deleted_cart_gives_its_holds_back(holding: Holding) -> None:
    cart = held_cart(holding, 2, at(1))
    holding.carts.delete(cart.cart_id, at(2))
    holding.sweep.release_lapsed(T0 + timedelta(seconds=3))  # a keyed delete leaves it here
    assert (left(holding), holding.counts(GUEST.key)) == (6, 0)
