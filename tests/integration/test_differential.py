"""The same random sequences of operations through the service on the in-memory cart
repository and on the DynamoDB one (moto): the two must give the same answers, the same
refusals and the same stored carts.

The fake decides with the domain; DynamoDB enforces the same rules as conditions on its
writes (an add, a quantity, a removal with no read first). A condition that differs from
the rule it mirrors shows here, as a difference between the two, in a shrunk sequence.
Both share one catalog, one set of promotions (unlimited: their use counts live apart) and
one clock; each example names its carts afresh on the shared tables.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import Phase
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from chalicelib import wiring
from chalicelib.domain.commands import (
    ADD,
    REMOVE,
    SET,
    AddItem,
    ChangeItems,
    CreateCart,
    ItemOperation,
    MergeCarts,
    UpdateCart,
    UpdateItem,
)
from chalicelib.domain.errors import CartServiceError
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.domain.promotions import PERCENT_OFF_CART, Promotion
from chalicelib.dynamodb.holds import DynamoHoldSweep
from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.dynamodb.stock import DynamoStockLedger
from chalicelib.edge.problems import problem_for
from chalicelib.edge.views import cart_view
from chalicelib.service.operations import CartService, CreatedCart
from chalicelib.service.ports import CartRepository, HoldSweep, ProductRepository, StockLedger
from chalicelib.settings import Settings
from tests.fakes import (
    InMemoryCartRepository,
    InMemoryCodeAttempts,
    InMemoryProductRepository,
    InMemoryPromotionRepository,
    InMemoryReceiptStore,
    InMemoryStockLedger,
    fixed_keys,
    pricing,
)

LIFETIME = timedelta(days=30)
PRODUCTS = [
    Product("BEANS", "Beans", Money(Decimal("19.99"), "USD")),
    Product("FILTERS", "Filters", Money(Decimal("4.75"), "USD"), max_per_cart=5),
    Product("MUG", "Mug", Money(Decimal("12.00"), "USD"), stock_levels=(2, 1)),
    Product("WAFFLES", "Waffles", Money(Decimal("6.80"), "EUR")),
]
PRODUCT_IDS = [p.product_id for p in PRODUCTS] + ["GONE"]  # one the catalog does not have
SAVE10 = Promotion("save-10", "10% off", PERCENT_OFF_CART, Decimal(10), code="SAVE10")

products = st.sampled_from(PRODUCT_IDS)
quantities = st.sampled_from([1, 2, 3, 5, 6, 500, 998, 999])
texts = st.sampled_from([None, {"gift": "yes"}])


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def service(
    carts: CartRepository,
    products: ProductRepository,
    ledger: StockLedger,
    holds: HoldSweep,
    clock: Clock,
    prefix: str,
) -> CartService:
    promotions = InMemoryPromotionRepository([SAVE10])
    ids = iter(f"{prefix}-{n}" for n in range(1000))
    return CartService(
        carts,
        pricing(products, promotions),
        fixed_keys,
        InMemoryCodeAttempts(),
        ledger,
        holds,
        lifetime=LIFETIME,
        clock=clock,
        new_cart_id=lambda: next(ids),
    )


def outcome(call: Any) -> Any:
    """What the caller sees: the cart view, or the refusal's problem."""
    try:
        answer = call()
    except CartServiceError as refused:
        return problem_for(refused)
    if isinstance(answer, CreatedCart):
        answer = answer.priced
    return None if answer is None else cart_view(answer)


class Differential(RuleBasedStateMachine):
    client: Any = None
    """The DynamoDB client and tables the test hands in (moto's, made once for all examples)."""
    tables: Settings

    def __init__(self) -> None:
        super().__init__()
        client, tables = self.client, self.tables
        prefix = uuid.uuid4().hex[:8]  # this example's carts, on the shared tables
        self.clock = Clock()
        dynamodb = wiring.cart_repository(tables, client)
        # The stock as stocked afresh for each example (the examples run one at a time).
        stocked = DynamoProductRepository(client, tables.products_table, tables.stock_table)
        stocked.put_many(PRODUCTS)
        stocked.set_stock({p.product_id: p.stock_levels for p in PRODUCTS if p.stock_levels})
        catalog = InMemoryProductRepository(PRODUCTS)
        fake_ledger = InMemoryStockLedger(catalog, InMemoryReceiptStore())
        ledger = DynamoStockLedger(client, tables.stock_table, tables.idempotency_table)
        fake = InMemoryCartRepository(stock=catalog)
        sweep = DynamoHoldSweep(
            client, tables.carts_table, tables.stock_table, tables.hold_counts_table
        )
        self.services = (
            service(fake, catalog, fake_ledger, fake.sweep, self.clock, prefix),
            service(dynamodb, stocked, ledger, sweep, self.clock, prefix),
        )
        self.carts: list[str] = []

    def both(self, operation: Any) -> Any:
        """Run `operation` on both services; their answers, which must be the same."""
        self.clock.now += timedelta(seconds=1)
        fake, real = (outcome(lambda s=s: operation(s)) for s in self.services)
        assert fake == real
        return real

    def cart(self, data: st.DataObject) -> str:
        return str(data.draw(st.sampled_from(self.carts)))

    @initialize()
    def two_carts(self) -> None:
        for customer in (None, "alice"):
            self.create(customer)

    @rule(customer=st.sampled_from([None, "alice"]))
    def create(self, customer: str | None) -> None:
        answer = self.both(lambda s: s.create_cart(CreateCart(customer, "USD")))
        self.carts.append(answer["cartId"])

    @precondition(lambda self: bool(self.carts))
    @rule(data=st.data(), product=products, quantity=quantities, text=texts)
    def add(self, data: st.DataObject, product: str, quantity: int, text: Any) -> None:
        cart = self.cart(data)
        self.both(lambda s: s.add_item(cart, AddItem(product, quantity, text)))

    @precondition(lambda self: bool(self.carts))
    @rule(data=st.data(), product=st.sampled_from(PRODUCTS[:3]), first=st.sampled_from([1, 2]))
    def fill_to_the_limit(self, data: st.DataObject, product: Product, first: int) -> None:
        """Add to a line up to its limit exactly, then one more: the edges of the rule."""
        cart = self.cart(data)
        for quantity in (first, product.limit - first, 1):
            self.both(lambda s, q=quantity: s.add_item(cart, AddItem(product.product_id, q)))

    @precondition(lambda self: bool(self.carts))
    @rule(data=st.data(), product=products, quantity=st.sampled_from([0, 1, 4, 5, 6, 999]))
    def set_quantity(self, data: st.DataObject, product: str, quantity: int) -> None:
        cart = self.cart(data)
        self.both(lambda s: s.update_item(cart, product, UpdateItem(quantity)))

    @precondition(lambda self: bool(self.carts))
    @rule(data=st.data(), product=products)
    def remove(self, data: st.DataObject, product: str) -> None:
        cart = self.cart(data)
        self.both(lambda s: s.remove_item(cart, product))

    @rule(
        data=st.data(),
        operations=st.lists(
            st.tuples(st.sampled_from([ADD, SET, REMOVE]), products, quantities), max_size=4
        ),
    )
    def batch(self, data: st.DataObject, operations: list[tuple[str, str, int]]) -> None:
        cart = self.cart(data)
        batch = ChangeItems(
            [ItemOperation(op, pid, 0 if op == REMOVE else n) for op, pid, n in operations]
        )
        self.both(lambda s: s.change_items(cart, batch))

    @precondition(lambda self: bool(self.carts))
    @rule(data=st.data(), note=st.sampled_from([None, "", "ring twice"]))
    def note(self, data: st.DataObject, note: str | None) -> None:
        cart = self.cart(data)
        self.both(lambda s: s.update_cart(cart, UpdateCart(note=note, attributes={"a": "b"})))

    @precondition(lambda self: bool(self.carts))
    @rule(data=st.data(), code=st.sampled_from(["SAVE10", "NOPE"]), enter=st.booleans())
    def code(self, data: st.DataObject, code: str, enter: bool) -> None:
        cart = self.cart(data)
        if enter:
            self.both(lambda s: s.enter_discount_code(cart, code))
        else:
            self.both(lambda s: s.remove_discount_code(cart, code))

    @precondition(lambda self: bool(self.carts))
    @rule(data=st.data(), accept=st.booleans())
    def checkout(self, data: st.DataObject, accept: bool) -> None:
        cart = self.cart(data)
        self.both(lambda s: s.check_out(cart, accept))

    @precondition(lambda self: bool(self.carts))
    @rule(data=st.data())
    def merge(self, data: st.DataObject) -> None:
        target, source = self.cart(data), self.cart(data)
        self.both(lambda s: s.merge_carts(target, MergeCarts(source)))

    @precondition(lambda self: bool(self.carts))
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        cart = self.cart(data)
        self.both(lambda s: s.delete_cart(cart))

    @rule(days=st.sampled_from([1, 29, 31]))
    def time_passes(self, days: int) -> None:
        """Days pass: past the lifetime, every cart not changed since expires."""
        self.clock.now += timedelta(days=days)

    @invariant()
    def the_stored_carts_are_the_same(self) -> None:
        for cart in self.carts:
            fake, real = (outcome(lambda s=s, c=cart: s.get_cart(c)) for s in self.services)
            assert fake == real


SEQUENCES = hypothesis_settings(
    max_examples=25,
    stateful_step_count=20,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.generate],
)
"""A fixed budget of fixed examples (derandomized), within a minute here. No shrinking: a
difference prints its whole sequence (shrinking it took minutes, and found replays that
behaved otherwise on the shared tables)."""


def test_the_fake_and_dynamodb_answer_every_sequence_alike(
    dynamodb: Any, settings: Settings
) -> None:
    Differential.client, Differential.tables = dynamodb, settings
    run_state_machine_as_test(Differential, settings=SEQUENCES)
