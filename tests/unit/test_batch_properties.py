"""A batch is its operations one by one, or nothing (Hypothesis).

Whatever the cart and the operations, applying them as one batch leaves the cart exactly as
applying them one at a time would (lines, quantities, attributes, in order), in one version
step; and when one of them is refused, the batch raises that operation's error, naming it,
and leaves the cart as it was.
"""

import copy
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.cart import Cart
from chalicelib.domain.change import Change
from chalicelib.domain.commands import ADD, REMOVE, SET, ItemOperation
from chalicelib.domain.errors import CartServiceError, ProductNotFound
from chalicelib.domain.money import Money
from chalicelib.domain.products import MAX_QUANTITY, Product

T0 = datetime(2026, 11, 27, tzinfo=UTC)
CHANGE = Change(T0, T0 + timedelta(days=30))
PRODUCTS = {
    f"P{n}": Product(f"P{n}", f"Product {n}", Money(Decimal("2.50"), "USD")) for n in range(6)
}
PRODUCTS["EUR-1"] = Product("EUR-1", "Euro product", Money(Decimal("1.50"), "EUR"))
IDS = [*PRODUCTS, "GONE"]  # GONE is in no catalog

attributes = st.none() | st.dictionaries(st.sampled_from(["gift", "note"]), st.text(max_size=3))
operations = st.one_of(
    st.builds(
        ItemOperation, st.just(ADD), st.sampled_from(IDS), st.integers(1, MAX_QUANTITY), attributes
    ),
    st.builds(
        ItemOperation, st.just(SET), st.sampled_from(IDS), st.integers(0, MAX_QUANTITY), attributes
    ),
    st.builds(ItemOperation, st.just(REMOVE), st.sampled_from(IDS)),
)
start_lines = st.dictionaries(st.sampled_from([*PRODUCTS][:6]), st.integers(1, 600), max_size=4)


def new_cart(lines: dict[str, int]) -> Cart:
    cart = Cart("cart-1", "dana", "USD", T0, T0, T0 + timedelta(days=30))
    for product_id, quantity in lines.items():
        cart.add(PRODUCTS[product_id], quantity, CHANGE)
    return cart


def one_by_one(cart: Cart, operation: ItemOperation) -> None:
    """What the single operations do (the service refuses an unknown product first)."""
    if operation.op == ADD:
        product = PRODUCTS.get(operation.product_id)
        if product is None:
            raise ProductNotFound(operation.product_id)
        cart.add(product, operation.quantity, CHANGE, operation.attributes)
    elif operation.op == SET:
        cart.set_quantity(operation.product_id, operation.quantity, CHANGE, operation.attributes)
    else:
        cart.set_quantity(operation.product_id, 0, CHANGE)


def contents(cart: Cart) -> list[tuple[str, int, dict[str, str]]]:
    return [(line.product_id, line.quantity, line.attributes) for line in cart.lines]


@settings(max_examples=400, deadline=None)
@given(start_lines, st.lists(operations, min_size=1, max_size=50))
def test_a_batch_is_its_operations_one_by_one_or_nothing(
    lines: dict[str, int], batch: list[ItemOperation]
) -> None:
    expected, batched = new_cart(lines), new_cart(lines)
    before = copy.deepcopy(batched)
    refused: tuple[int, type[CartServiceError]] | None = None
    for index, operation in enumerate(batch):
        try:
            one_by_one(expected, operation)
        except CartServiceError as error:
            refused = (index, type(error))
            break
    try:
        batched.apply(batch, PRODUCTS, CHANGE)
    except CartServiceError as error:
        assert refused is not None and (refused[1], refused[0]) == (
            type(error),
            int(str(error.field).split("[")[1].split("]")[0]),
        )
        assert batched == before  # nothing changed
        return
    assert refused is None
    assert contents(batched) == contents(expected)
    assert batched.version == before.version + 1
