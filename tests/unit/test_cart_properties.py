"""Properties of the cart under any sequence of operations (Hypothesis state machine).

A plain dict is the model: whatever the sequence, the cart holds what the model says, stays
within its limits, prices to the sum of its lines, and a refused operation changes nothing.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from chalicelib.domain.cart import MAX_LINES, Cart
from chalicelib.domain.change import Change
from chalicelib.domain.errors import CartServiceError
from chalicelib.domain.money import Money
from chalicelib.domain.pricing import price_cart
from chalicelib.domain.products import MAX_QUANTITY, Product

T0 = datetime(2026, 11, 25, tzinfo=UTC)
PRODUCTS = [
    Product(f"P{index}", f"Product {index}", Money(Decimal(index * 7 % 100 + 1) / 4, "USD"))
    for index in range(MAX_LINES + 5)
] + [Product("EUR-1", "Euro product", Money(Decimal("1.50"), "EUR"))]
CATALOG = {product.product_id: product for product in PRODUCTS[::2]}  # half are available

products = st.sampled_from(PRODUCTS)
quantities = st.integers(min_value=1, max_value=MAX_QUANTITY + 300)


class CartMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.cart = Cart("c", "customer", "USD", T0, T0, T0 + timedelta(days=30))
        self.model: dict[str, int] = {}
        self.changes = 0
        self.clock = 0

    def snapshot(self) -> tuple[object, ...]:
        lines = tuple((line.product_id, line.name, line.quantity) for line in self.cart.lines)
        return (self.cart.version, self.cart.updated_at, self.cart.expires_at, lines)

    def change(self) -> Change:
        self.clock += 1
        now = T0 + timedelta(seconds=self.clock)
        return Change(now, now + timedelta(days=30))

    def attempt(
        self, operation: Callable[[], None], allowed: bool, expected: dict[str, int]
    ) -> None:
        before = self.snapshot()
        try:
            operation()
        except CartServiceError:
            assert not allowed
            assert self.snapshot() == before  # refused: nothing changed
            return
        assert allowed
        self.model = expected
        self.changes += 1

    @rule(product=products, quantity=quantities)
    def add(self, product: Product, quantity: int) -> None:
        current = self.model.get(product.product_id, 0)
        allowed = (
            product.currency == "USD"
            and current + quantity <= MAX_QUANTITY
            and (current > 0 or len(self.model) < MAX_LINES)
        )
        expected = {**self.model, product.product_id: current + quantity}
        self.attempt(lambda: self.cart.add(product, quantity, self.change()), allowed, expected)

    @rule()
    def fill_every_line(self) -> None:
        """Reach the 100-line limit in one step, so later adds run into it."""
        for product in PRODUCTS[: MAX_LINES + 2]:
            self.add(product, 1)

    @rule(product=products, quantity=st.integers(min_value=0, max_value=MAX_QUANTITY + 300))
    def set_quantity(self, product: Product, quantity: int) -> None:
        pid = product.product_id
        allowed = pid in self.model and quantity <= MAX_QUANTITY
        expected = {k: v for k, v in self.model.items() if k != pid}
        if quantity:
            expected = {**self.model, pid: quantity}
        self.attempt(
            lambda: self.cart.set_quantity(pid, quantity, self.change()), allowed, expected
        )

    @invariant()
    def holds_what_the_model_says_within_the_limits(self) -> None:
        lines = {line.product_id: line.quantity for line in self.cart.lines}
        assert lines == self.model
        assert len(self.cart.lines) <= MAX_LINES
        assert all(1 <= quantity <= MAX_QUANTITY for quantity in lines.values())
        assert self.cart.version == 1 + self.changes

    @invariant()
    def totals_are_the_sum_of_the_available_lines(self) -> None:
        priced = price_cart(self.cart, CATALOG)
        assert priced.item_count == sum(self.model.values())
        expected = sum(
            (
                CATALOG[pid].unit_price.amount * qty
                for pid, qty in self.model.items()
                if pid in CATALOG
            ),
            Decimal(0),
        )
        assert priced.total.amount == expected
        assert [line.line.product_id for line in priced.lines] == list(self.model)


TestCartProperties = CartMachine.TestCase
TestCartProperties.settings = settings(max_examples=100, stateful_step_count=40, deadline=None)
