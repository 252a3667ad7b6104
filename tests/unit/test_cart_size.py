"""The cart's size budget, in the domain: text past it is refused, naming the field."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from chalicelib.domain.cart import Cart
from chalicelib.domain.change import Change
from chalicelib.domain.commands import ADD, SET, ItemOperation, UpdateCart
from chalicelib.domain.delivery import DeliveryRates
from chalicelib.domain.errors import CartTooLarge
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.domain.size import MAX_CART_TEXT_BYTES, text_bytes

T0 = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
NOW = Change(T0, T0 + timedelta(days=30))
WIDE = "\U0001f381" * 256  # 256 characters of 4 bytes: the widest a value can be but for escapes


def product(pid: str) -> Product:
    return Product(pid, pid, Money(Decimal("1.00"), "USD"))


def full_lines(cart: Cart, count: int) -> None:
    """`count` lines of ten attributes of 256 wide characters (10 x 1026 bytes each)."""
    for index in range(count):
        cart.add(product(f"P{index}"), 1, NOW, {f"k{n}": WIDE for n in range(10)})


def new_cart() -> Cart:
    return Cart("cart-1", "c", "USD", T0, T0, T0 + timedelta(days=30))


def test_text_is_counted_in_the_bytes_of_its_json() -> None:
    assert [text_bytes(t) for t in ("abc", "é", "\u20ac", "\U0001f381", '"', "\n", "\x01")] == [
        3,
        2,
        3,
        4,
        2,
        2,
        6,
    ]


def test_a_line_that_would_pass_the_budget_is_refused_and_the_cart_is_left_as_it_was() -> None:
    cart = new_cart()
    full_lines(cart, 6)  # 6 x 10260 bytes = 61560
    before = (cart.version, cart.text_bytes(), len(cart.lines))
    with pytest.raises(CartTooLarge) as refused:
        cart.add(product("P9"), 1, NOW, {f"k{n}": WIDE for n in range(10)})
    assert refused.value.field == "attributes"
    assert (cart.version, cart.text_bytes(), len(cart.lines)) == before
    left = {"a": WIDE, "b": WIDE, "c": WIDE, "d": WIDE[:225]}  # 3976 bytes: what is left
    cart.add(product("P9"), 1, NOW, left)
    assert cart.text_bytes() == MAX_CART_TEXT_BYTES


def annotate(
    cart: Cart, note: str | None, attributes: dict[str, str] | None, change: Change
) -> None:
    cart.update(UpdateCart(note, attributes), DeliveryRates(), change)


def test_replacing_text_counts_what_it_replaces() -> None:
    cart = new_cart()
    full_lines(cart, 6)
    annotate(cart, "x" * 3976, None, NOW)
    assert cart.text_bytes() == MAX_CART_TEXT_BYTES
    cart.add(product("P0"), 1, NOW, {f"x{n}": WIDE for n in range(10)})  # as large as before
    cart.set_quantity("P1", 2, NOW, {f"y{n}": WIDE for n in range(10)})
    annotate(cart, "y" * 3976, None, NOW)
    with pytest.raises(CartTooLarge) as refused:
        annotate(cart, "z" * 3977, None, NOW)
    assert refused.value.field == "note"
    with pytest.raises(CartTooLarge) as refused:
        annotate(cart, None, {"gift": "wrapped"}, NOW)
    assert refused.value.field == "attributes"


def test_a_batch_names_the_operation_that_passes_the_budget_and_applies_none() -> None:
    cart = new_cart()
    full_lines(cart, 6)
    lines_before = [(line.product_id, line.quantity) for line in cart.lines]
    wide = {f"k{n}": WIDE for n in range(10)}
    batch = [ItemOperation(SET, "P0", 5), ItemOperation(ADD, "P7", 1, wide)]
    with pytest.raises(CartTooLarge) as refused:
        cart.apply(batch, {"P7": product("P7")}, NOW)
    assert refused.value.field == "operations[1].attributes"
    assert [(line.product_id, line.quantity) for line in cart.lines] == lines_before


def test_a_merge_that_brings_too_much_text_is_refused_naming_the_source() -> None:
    target, source = new_cart(), Cart("cart-2", "c", "USD", T0, T0, T0 + timedelta(days=30))
    full_lines(target, 6)
    source.add(product("P8"), 1, NOW, {f"k{n}": WIDE for n in range(10)})
    source.add(product("P0"), 1, NOW, {"k": "a line the target holds keeps the target's"})
    with pytest.raises(CartTooLarge) as refused:
        target.merge(source, NOW)
    assert refused.value.field == "sourceCartId"


def test_a_cart_over_the_budget_from_before_it_may_still_lose_text() -> None:
    cart = new_cart()
    full_lines(cart, 6)
    cart.note = "\U0001f381" * 2000  # stored before the budget existed
    assert cart.text_bytes() > MAX_CART_TEXT_BYTES
    cart.set_quantity("P0", 1, NOW, {"gift": "no"})
    annotate(cart, "", None, NOW)
    assert cart.text_bytes() < MAX_CART_TEXT_BYTES
