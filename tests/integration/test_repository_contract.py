"""One behaviour, two repositories: the DynamoDB adapter (on moto) must answer exactly like
the in-memory repository that the unit tests of the service rely on."""

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from chalicelib import wiring
from chalicelib.domain.attempts import window_at
from chalicelib.domain.cart import MAX_LINES, Cart
from chalicelib.domain.change import Change
from chalicelib.domain.commands import ADD, ItemOperation, UpdateCart
from chalicelib.domain.delivery import (
    DeliveryAddress,
    DeliveryMethod,
    DeliveryOption,
    DeliveryRates,
    DeliveryZone,
)
from chalicelib.domain.errors import (
    CartNotActive,
    CartNotFound,
    CheckoutTooLarge,
    ConcurrentUpdate,
    CurrencyMismatch,
    ItemNotFound,
    LineLimitExceeded,
    PreconditionFailed,
    QuantityLimitExceeded,
    StockMoved,
)
from chalicelib.domain.events import CART_CHECKED_OUT, CART_UPDATED
from chalicelib.domain.lines import CartLine
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.domain.receipts import Receipt
from chalicelib.domain.stock import StockTake
from chalicelib.domain.tax import TaxComponent, TaxResult
from chalicelib.dynamodb.attempts import DynamoCodeAttempts
from chalicelib.dynamodb.merge import MOVED_LINES_PER_STEP
from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.service.ports import CartRepository, CodeAttempts, Decided, ProductRepository
from chalicelib.settings import Settings
from tests.fakes import InMemoryCartRepository, InMemoryCodeAttempts, InMemoryProductRepository

T0 = datetime(2026, 11, 25, 16, 0, 0, 123000, tzinfo=UTC)
LIFETIME = timedelta(days=30)
BEANS = Product("BEANS", "Beans", Money(Decimal("19.99"), "USD"))
FILTERS = Product("FILTERS", "Filters", Money(Decimal("4.75"), "USD"))
WAFFLES = Product("WAFFLES", "Waffles", Money(Decimal("6.80"), "EUR"))
LOT = Product("LOT", "Limited lot", Money(Decimal("30.00"), "USD"), stock_levels=(2, 1))
EXPRESS = DeliveryMethod("express", "Express", {"USD": Decimal("14.99")}, {}, 1, 2)


def at(seconds: float, expected_version: int | None = None) -> Change:
    now = T0 + timedelta(seconds=seconds)
    return Change(now, (now + LIFETIME).replace(microsecond=0), expected_version)


@pytest.fixture(params=["in-memory", "dynamodb"])
def carts(request: pytest.FixtureRequest) -> Iterator[CartRepository]:
    if request.param == "in-memory":
        yield InMemoryCartRepository()
    else:
        client: Any = request.getfixturevalue("dynamodb")
        settings: Settings = request.getfixturevalue("settings")
        yield wiring.cart_repository(settings, client)


@pytest.fixture(params=["in-memory", "dynamodb"])
def carts_and_stock(
    request: pytest.FixtureRequest,
) -> Iterator[tuple[CartRepository, ProductRepository]]:
    """A cart repository and the catalog whose stock its checkouts take."""
    if request.param == "in-memory":
        stock = InMemoryProductRepository()
        yield InMemoryCartRepository(stock=stock), stock
    else:
        client: Any = request.getfixturevalue("dynamodb")
        settings: Settings = request.getfixturevalue("settings")
        yield (
            wiring.cart_repository(settings, client),
            DynamoProductRepository(client, settings.products_table, settings.stock_table),
        )


def stored_cart(carts: CartRepository, cart_id: str = "c-1") -> Cart:
    change = at(0)
    carts.create(Cart(cart_id, "customer-42", "USD", T0, T0, change.expires_at), at(0))
    return carts.get(cart_id, T0)


def snapshot(cart: Cart) -> tuple[Any, ...]:
    lines = [(line.product_id, line.name, line.quantity, line.added_at) for line in cart.lines]
    return (cart.version, cart.updated_at, cart.expires_at, lines)


def test_a_created_cart_reads_back(carts: CartRepository) -> None:
    cart = stored_cart(carts)
    assert (cart.customer_id, cart.currency, cart.status, cart.version) == (
        "customer-42",
        "USD",
        "ACTIVE",
        1,
    )
    assert (cart.created_at, cart.updated_at, cart.lines) == (T0, T0, [])
    assert cart.expires_at == at(0).expires_at


def test_a_cart_created_with_lines_reads_back_with_them(carts: CartRepository) -> None:
    change = at(0)
    cart = Cart("c-1", None, "USD", T0, T0, change.expires_at)
    cart.apply(
        [ItemOperation(ADD, "BEANS", 2), ItemOperation(ADD, "FILTERS", 1)],
        {"BEANS": BEANS, "FILTERS": FILTERS},
        change,
    )
    carts.create(cart, change)
    stored = carts.get("c-1", T0)
    assert snapshot(stored) == snapshot(cart)
    assert [(line.product_id, line.quantity, line.price_when_added) for line in stored.lines] == [
        ("BEANS", 2, Decimal("19.99")),
        ("FILTERS", 1, Decimal("4.75")),
    ]


def test_a_change_answers_with_the_cart_as_stored(carts: CartRepository) -> None:
    stored_cart(carts)
    after = carts.add_line("c-1", BEANS, 2, at(5))
    assert snapshot(after) == snapshot(carts.get("c-1", T0))
    assert (after.version, after.updated_at, after.expires_at) == (
        2,
        at(5).now,
        at(5).expires_at,
    )


def test_lines_come_back_oldest_first_with_their_first_added_time(carts: CartRepository) -> None:
    stored_cart(carts)
    carts.add_line("c-1", FILTERS, 1, at(1))
    carts.add_line("c-1", BEANS, 2, at(2))
    cart = carts.add_line("c-1", FILTERS, 4, at(3))
    assert [(line.product_id, line.quantity) for line in cart.lines] == [
        ("FILTERS", 5),
        ("BEANS", 2),
    ]
    assert cart.lines[0].added_at == at(1).now
    assert (cart.version, cart.updated_at) == (4, at(3).now)


def test_lines_added_within_one_millisecond_keep_their_order(carts: CartRepository) -> None:
    stored_cart(carts)
    carts.add_line("c-1", FILTERS, 1, at(0.000001))
    cart = carts.add_line("c-1", BEANS, 1, at(0.000002))
    assert [line.product_id for line in cart.lines] == ["FILTERS", "BEANS"]


def test_the_999_limit_refuses_and_changes_nothing(carts: CartRepository) -> None:
    stored_cart(carts)
    before = snapshot(carts.add_line("c-1", BEANS, 999, at(0)))
    with pytest.raises(QuantityLimitExceeded):
        carts.add_line("c-1", BEANS, 1, at(1))
    assert snapshot(carts.get("c-1", T0)) == before


def test_the_100_line_limit_refuses_and_changes_nothing(carts: CartRepository) -> None:
    filled_cart(carts, "c-1", MAX_LINES)
    before = snapshot(carts.get("c-1", T0))
    with pytest.raises(LineLimitExceeded):
        carts.add_line("c-1", BEANS, 1, at(1))
    assert snapshot(carts.get("c-1", T0)) == before


def test_another_currency_is_refused_and_changes_nothing(carts: CartRepository) -> None:
    before = snapshot(stored_cart(carts))
    with pytest.raises(CurrencyMismatch):
        carts.add_line("c-1", WAFFLES, 1, at(1))
    assert snapshot(carts.get("c-1", T0)) == before


def test_changes_to_a_missing_cart_are_cart_not_found(carts: CartRepository) -> None:
    with pytest.raises(CartNotFound):
        carts.add_line("nope", BEANS, 1, at(0))
    with pytest.raises(CartNotFound):
        carts.set_quantity("nope", "BEANS", 1, at(0))
    with pytest.raises(CartNotFound):
        carts.get("nope", T0)
    with pytest.raises(CartNotFound):
        carts.delete("nope", at(0))


def test_set_quantity_and_remove(carts: CartRepository) -> None:
    stored_cart(carts)
    carts.add_line("c-1", BEANS, 2, at(0))
    carts.add_line("c-1", FILTERS, 2, at(1))
    carts.set_quantity("c-1", "BEANS", 7, at(2))
    cart = carts.set_quantity("c-1", "FILTERS", 0, at(3))
    assert [(line.product_id, line.quantity) for line in cart.lines] == [("BEANS", 7)]
    assert (cart.version, cart.updated_at) == (5, at(3).now)


def test_changing_a_missing_line_is_item_not_found_and_changes_nothing(
    carts: CartRepository,
) -> None:
    before = snapshot(stored_cart(carts))
    with pytest.raises(ItemNotFound):
        carts.set_quantity("c-1", "BEANS", 3, at(1))
    with pytest.raises(ItemNotFound):
        carts.set_quantity("c-1", "BEANS", 0, at(1))
    assert snapshot(carts.get("c-1", T0)) == before


def test_delete_removes_the_cart(carts: CartRepository) -> None:
    stored_cart(carts)
    carts.add_line("c-1", BEANS, 1, at(0))
    stored_cart(carts, "c-2")
    carts.delete("c-1", at(1))
    with pytest.raises(CartNotFound):
        carts.get("c-1", T0)
    assert carts.get("c-2", T0).cart_id == "c-2"


def test_an_expired_cart_is_not_found_and_cannot_change(carts: CartRepository) -> None:
    stored_cart(carts)
    carts.add_line("c-1", BEANS, 1, at(0))
    expired = at(LIFETIME.total_seconds() + 1)
    with pytest.raises(CartNotFound):
        carts.get("c-1", expired.now)
    with pytest.raises(CartNotFound):
        carts.add_line("c-1", BEANS, 1, expired)
    with pytest.raises(CartNotFound):
        carts.set_quantity("c-1", "BEANS", 0, expired)
    with pytest.raises(CartNotFound):
        carts.delete("c-1", expired)
    assert carts.get("c-1", T0).lines[0].quantity == 1  # still there, just not served


def test_a_stale_expected_version_is_refused_and_changes_nothing(carts: CartRepository) -> None:
    stored_cart(carts)
    before = snapshot(carts.add_line("c-1", BEANS, 1, at(1, expected_version=1)))
    for change in (
        lambda: carts.add_line("c-1", BEANS, 1, at(2, expected_version=1)),
        lambda: carts.set_quantity("c-1", "BEANS", 5, at(2, expected_version=1)),
        lambda: carts.set_quantity("c-1", "BEANS", 0, at(2, expected_version=1)),
        lambda: carts.delete("c-1", at(2, expected_version=1)),
    ):
        with pytest.raises(PreconditionFailed):
            change()
    assert snapshot(carts.get("c-1", T0)) == before
    carts.delete("c-1", at(3, expected_version=2))


def merged_of(target: Cart, source: Cart, change: Change) -> Cart:
    """What the service hands the repository: the domain's merge (its rules raise first)."""
    merged = copy.deepcopy(target)
    merged.merge(source, change)
    return merged


CREATED_WITH = MAX_LINES - 1
"""Lines a cart is created with at most, beside its row, in one transaction of 100."""


def filled_cart(carts: CartRepository, cart_id: str, count: int, offset: int = 0) -> Cart:
    """A cart of `count` lines of one unit (P{offset:03}, ...), each added a millisecond after
    the one before: the first CREATED_WITH created with the cart, the rest added."""
    products = [
        Product(f"P{index:03}", f"Product {index}", Money(Decimal("1.00"), "USD"))
        for index in range(offset, offset + count)
    ]
    lines = [
        CartLine(p.product_id, p.name, 1, at(n / 1000).now, {}, p.unit_price.amount)
        for n, p in enumerate(products[:CREATED_WITH], start=offset)
    ]
    carts.create(Cart(cart_id, "customer-42", "USD", T0, T0, at(0).expires_at, lines=lines), at(0))
    for n, product in enumerate(products[CREATED_WITH:], start=offset + CREATED_WITH):
        carts.add_line(cart_id, product, 1, at(n / 1000))
    return carts.get(cart_id, T0)


@pytest.mark.parametrize("source_lines", [3, MOVED_LINES_PER_STEP + 11])
def test_a_merge_moves_every_line_and_deletes_the_source(
    carts: CartRepository, source_lines: int
) -> None:
    target = filled_cart(carts, "target", 5)
    source = filled_cart(carts, "source", source_lines, offset=3)  # P003, P004 in both
    merged = carts.merge(target, source, merged_of(target, source, at(10)), at(10))
    quantities = {line.product_id: line.quantity for line in merged.lines}
    assert len(quantities) == 3 + source_lines
    assert quantities["P003"] == quantities["P004"] == 2
    assert sum(quantities.values()) == 5 + source_lines
    assert merged.version == target.version + 1
    assert snapshot(carts.get("target", T0)) == snapshot(merged)
    with pytest.raises(CartNotFound):
        carts.get("source", T0)


def test_a_merge_of_carts_changed_since_read_does_nothing(carts: CartRepository) -> None:
    target = filled_cart(carts, "target", 2)
    source = filled_cart(carts, "source", 2, offset=10)
    decided = merged_of(target, source, at(10))
    carts.add_line("source", BEANS, 1, at(5))  # after the read
    with pytest.raises(ConcurrentUpdate):
        carts.merge(target, source, decided, at(10))
    assert snapshot(carts.get("target", T0)) == snapshot(target)
    assert len(carts.get("source", T0).lines) == 3


def test_a_merge_over_the_limit_moves_nothing(carts: CartRepository) -> None:
    target = filled_cart(carts, "target", 60)
    source = filled_cart(carts, "source", 60, offset=60)
    with pytest.raises(LineLimitExceeded):
        carts.merge(target, source, merged_of(target, source, at(10)), at(10))
    assert snapshot(carts.get("target", T0)) == snapshot(target)
    assert snapshot(carts.get("source", T0)) == snapshot(source)


def test_checkout_freezes_the_prices_and_refuses_later_changes(carts: CartRepository) -> None:
    stored_cart(carts)
    cart = carts.add_line("c-1", BEANS, 2, at(1))
    checked_out = copy.deepcopy(cart)
    checked_out.check_out({"BEANS": BEANS}, at(2))
    frozen = carts.save(Decided(cart, checked_out, CART_CHECKED_OUT), at(2))
    assert (frozen.status, frozen.version) == ("CHECKED_OUT", 3)
    assert frozen.checkout_prices == {"BEANS": BEANS.unit_price}
    assert carts.get("c-1", T0).checkout_prices == {"BEANS": BEANS.unit_price}
    with pytest.raises(CartNotActive):
        carts.add_line("c-1", BEANS, 1, at(3))
    with pytest.raises(CartNotActive):
        carts.delete("c-1", at(3))


def test_a_checkout_takes_its_units_from_each_shard_or_nothing_when_one_holds_too_few(
    carts_and_stock: tuple[CartRepository, ProductRepository],
) -> None:
    carts, stock = carts_and_stock
    stock.put_many([LOT])  # 2 units in shard 0, 1 in shard 1
    stored_cart(carts)
    cart = carts.add_line("c-1", LOT, 3, at(1))
    checked_out = copy.deepcopy(cart)
    takes = checked_out.check_out(stock.get_many(["LOT"]), at(2)).takes
    assert takes == [StockTake("LOT", 0, 2), StockTake("LOT", 1, 1)]
    too_many = [StockTake("LOT", 0, 1), StockTake("LOT", 1, 2)]  # as if shard 1 had lost one
    with pytest.raises(StockMoved):
        carts.save(Decided(cart, checked_out, CART_CHECKED_OUT, takes=too_many), at(2))
    assert stock.get_many(["LOT"])["LOT"].stock_levels == (2, 1)
    assert carts.get("c-1", T0).status == "ACTIVE"
    frozen = carts.save(Decided(cart, checked_out, CART_CHECKED_OUT, takes=takes), at(2))
    assert (frozen.status, frozen.stock_taken) == ("CHECKED_OUT", {"LOT": 3})
    assert carts.get("c-1", T0).stock_taken == {"LOT": 3}
    assert stock.get_many(["LOT"])["LOT"].stock_levels == (0, 0)


def test_a_checkout_taking_from_more_places_than_one_write_holds_is_refused_whole(
    carts_and_stock: tuple[CartRepository, ProductRepository],
) -> None:
    """99 counted products beside the cart's row and a receipt: 101 items (DynamoDB's
    transaction holds 100)."""
    carts, stock = carts_and_stock
    lots = {f"LOT-{n}": LOT._replace(product_id=f"LOT-{n}", stock_levels=(1,)) for n in range(99)}
    stock.put_many(lots.values())
    change = at(0)
    cart = Cart("c-1", "customer-42", "USD", T0, T0, change.expires_at)
    cart.apply([ItemOperation(ADD, pid, 1) for pid in lots], lots, change)
    carts.create(cart, change)
    cart = carts.get("c-1", T0)
    keyed = at(1)._replace(change_id="checkout-1", receipt=Receipt("k", "r"))
    checked_out = copy.deepcopy(cart)
    takes = checked_out.check_out(stock.get_many(lots), keyed).takes
    with pytest.raises(CheckoutTooLarge):
        carts.save(Decided(cart, checked_out, CART_CHECKED_OUT, takes=takes), keyed)
    assert carts.get("c-1", T0).status == "ACTIVE"
    assert {p.stock for p in stock.get_many(lots).values()} == {1}


def test_a_catalog_loaded_again_keeps_the_stock_as_counted_and_a_stocktake_sets_it(
    carts_and_stock: tuple[CartRepository, ProductRepository],
) -> None:
    _, stock = carts_and_stock
    stock.put_many([LOT, BEANS])
    assert (stock.get_many(["LOT"])["LOT"].stock_levels, stock.get_many(["BEANS"])) == (
        (2, 1),
        {"BEANS": BEANS},
    )
    stock.set_stock({"LOT": (0, 1)})  # as after two units sold
    repriced = LOT._replace(unit_price=Money(Decimal("35.00"), "USD"))
    stock.put_many([repriced])  # the catalog file again, with the levels it started with
    assert stock.get_many(["LOT"])["LOT"] == repriced._replace(stock_levels=(0, 1))
    stock.set_stock({"LOT": (4,)})  # a stocktake: one shard of 4 now
    assert stock.get_many(["LOT"])["LOT"].stock_levels == (4,)


def test_an_address_and_the_delivery_and_tax_frozen_at_checkout_read_back(
    carts: CartRepository,
) -> None:
    stored_cart(carts)
    cart = carts.add_line("c-1", BEANS, 2, at(1))
    addressed = copy.deepcopy(cart)
    address = DeliveryAddress("US", "CA", "94103")
    rates = DeliveryRates((DeliveryZone("us", "US", methods=(EXPRESS,)),))
    addressed.update(UpdateCart(None, None, True, address, True, "express"), rates, at(2))
    saved = carts.save(Decided(cart, addressed, CART_UPDATED), at(2))
    assert (saved.delivery_address, saved.delivery_option_id) == (address, "express")
    delivery = DeliveryOption("express", "Express", Money(Decimal("14.99"), "USD"), 1, 2)
    rate = Decimal("7.25")
    tax = TaxResult(
        {"BEANS": (TaxComponent("Sales tax", rate, Money(Decimal("2.90"), "USD")),)},
        (TaxComponent("Sales tax", rate, Money(Decimal("1.09"), "USD")),),
        estimated=True,
    )
    checked_out = copy.deepcopy(saved)
    checked_out.check_out({"BEANS": BEANS}, at(3), delivery=delivery, tax=tax)
    carts.save(Decided(saved, checked_out, CART_CHECKED_OUT), at(3))
    frozen = carts.get("c-1", T0)
    assert (frozen.checkout_delivery, frozen.checkout_tax) == (delivery, tax)
    assert (frozen.delivery_address, frozen.checkout_tax_included) == (address, False)


def test_a_customers_carts_newest_first_in_pages_without_expired_ones(
    carts: CartRepository,
) -> None:
    for index in range(5):
        created = T0 + timedelta(seconds=index)
        expires = created + (timedelta(seconds=1) if index == 2 else LIFETIME)
        carts.create(Cart(f"c-{index}", "customer-42", "USD", created, created, expires), at(0))
    carts.create(Cart("other", "someone-else", "USD", T0, T0, T0 + LIFETIME), at(0))
    now = T0 + timedelta(seconds=10)  # c-2 has expired by then
    seen: list[str] = []
    after = None
    while True:
        page, after = carts.list_for_customer("customer-42", 2, after, now)
        seen += [cart.cart_id for cart in page]
        if after is None:
            break
    assert seen == ["c-4", "c-3", "c-1", "c-0"]


@pytest.fixture(params=["in-memory", "dynamodb"])
def code_attempts(request: pytest.FixtureRequest) -> CodeAttempts:
    if request.param == "in-memory":
        return InMemoryCodeAttempts()
    client: Any = request.getfixturevalue("dynamodb")
    settings: Settings = request.getfixturevalue("settings")
    return DynamoCodeAttempts(client, settings.code_attempts_table)


def test_codes_count_per_scope_and_window_and_come_back_when_taken_back(
    code_attempts: CodeAttempts,
) -> None:
    hour, next_hour = window_at(T0), window_at(T0 + timedelta(hours=1))
    address = "address 203.0.113.9"
    assert [code_attempts.count("cart c-1", hour), code_attempts.count(address, hour)] == [1, 1]
    assert [code_attempts.count("cart c-2", hour), code_attempts.count(address, hour)] == [1, 2]
    code_attempts.take_back(address, hour)
    assert code_attempts.count(address, hour) == 2
    assert code_attempts.count(address, next_hour) == 1  # a new window
