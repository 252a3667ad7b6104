"""The service's operations on the in-memory repositories."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from chalicelib.domain.commands import AddItem, CreateCart, ListCarts, MergeCarts, UpdateItem
from chalicelib.domain.errors import (
    CartEmpty,
    CartNotActive,
    CartNotFound,
    CurrencyMismatch,
    InvalidInput,
    ItemNotFound,
    MergeIntoItself,
    PreconditionFailed,
    ProductNotFound,
    ProductsUnavailable,
    QuantityLimitExceeded,
)
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.edge.views import cart_view
from chalicelib.service.changes import RequestContext
from chalicelib.service.operations import CartService
from tests.fakes import (
    InMemoryCartRepository,
    InMemoryCodeAttempts,
    InMemoryProductRepository,
    InMemoryReceiptStore,
    InMemoryStockLedger,
    fixed_keys,
    pricing,
)


class Ticking:
    """A clock that moves one second per call."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def products() -> InMemoryProductRepository:
    return InMemoryProductRepository(
        [
            Product("BEANS", "Beans", Money(Decimal("19.99"), "USD")),
            Product("FILTERS", "Filters", Money(Decimal("4.75"), "USD")),
            Product("WAFFLES", "Waffles", Money(Decimal("6.80"), "EUR")),
        ]
    )


@pytest.fixture
def service(products: InMemoryProductRepository) -> CartService:
    ids = iter(f"cart-{n}" for n in range(100))
    carts = InMemoryCartRepository()
    return CartService(
        carts,
        pricing(products),
        fixed_keys,
        InMemoryCodeAttempts(),
        InMemoryStockLedger(products, InMemoryReceiptStore()),
        carts.sweep,
        lifetime=timedelta(days=30),
        clock=Ticking(),
        new_cart_id=lambda: next(ids),
    )


def test_a_new_cart_is_empty_and_active(service: CartService) -> None:
    view = cart_view(service.create_cart(CreateCart("customer-42", "USD")).priced)
    assert view["cartId"] == "cart-0"
    assert (view["status"], view["items"], view["itemCount"], view["totalAmount"]) == (
        "ACTIVE",
        [],
        0,
        "0.00",
    )
    assert view["createdAt"] == view["updatedAt"]


def test_adding_items_prices_the_cart(service: CartService) -> None:
    service.create_cart(CreateCart("customer-42", "USD"))
    service.add_item("cart-0", AddItem("BEANS", 2))
    view = cart_view(service.add_item("cart-0", AddItem("FILTERS", 3)))
    assert [(i["productId"], i["quantity"], i["lineTotal"]) for i in view["items"]] == [
        ("BEANS", 2, "39.98"),
        ("FILTERS", 3, "14.25"),
    ]
    assert view["totalAmount"] == "54.23"
    assert view["updatedAt"] > view["createdAt"]


def test_adding_an_unknown_product_is_refused(service: CartService) -> None:
    service.create_cart(CreateCart("customer-42", "USD"))
    with pytest.raises(ProductNotFound):
        service.add_item("cart-0", AddItem("NOPE", 1))


def test_adding_a_product_in_another_currency_is_refused(service: CartService) -> None:
    service.create_cart(CreateCart("customer-42", "USD"))
    with pytest.raises(CurrencyMismatch):
        service.add_item("cart-0", AddItem("WAFFLES", 1))


def test_a_refused_add_changes_nothing(service: CartService) -> None:
    service.create_cart(CreateCart("customer-42", "USD"))
    before = cart_view(service.add_item("cart-0", AddItem("BEANS", 999)))
    with pytest.raises(QuantityLimitExceeded):
        service.add_item("cart-0", AddItem("BEANS", 1))
    assert cart_view(service.get_cart("cart-0")) == before


def test_update_sets_the_quantity_and_zero_removes(service: CartService) -> None:
    service.create_cart(CreateCart("customer-42", "USD"))
    service.add_item("cart-0", AddItem("BEANS", 2))
    assert cart_view(service.update_item("cart-0", "BEANS", UpdateItem(7)))["itemCount"] == 7
    assert cart_view(service.update_item("cart-0", "BEANS", UpdateItem(0)))["items"] == []


def test_removing_a_line_that_is_not_there_is_item_not_found(service: CartService) -> None:
    service.create_cart(CreateCart("customer-42", "USD"))
    with pytest.raises(ItemNotFound):
        service.remove_item("cart-0", "BEANS")


def test_a_deleted_cart_is_not_found(service: CartService) -> None:
    service.create_cart(CreateCart("customer-42", "USD"))
    service.delete_cart("cart-0")
    with pytest.raises(CartNotFound):
        service.get_cart("cart-0")
    with pytest.raises(CartNotFound):
        service.delete_cart("cart-0")


def test_operations_on_a_missing_cart_are_cart_not_found(service: CartService) -> None:
    with pytest.raises(CartNotFound):
        service.add_item("cart-9", AddItem("BEANS", 1))
    with pytest.raises(CartNotFound):
        service.update_item("cart-9", "BEANS", UpdateItem(1))


def test_a_line_whose_product_left_the_catalog_stays_unavailable(
    service: CartService, products: InMemoryProductRepository
) -> None:
    service.create_cart(CreateCart("customer-42", "USD"))
    service.add_item("cart-0", AddItem("BEANS", 1))
    service.add_item("cart-0", AddItem("FILTERS", 2))
    del products.products["BEANS"]
    view = cart_view(service.get_cart("cart-0"))
    assert [(i["productId"], i["available"]) for i in view["items"]] == [
        ("BEANS", False),
        ("FILTERS", True),
    ]
    assert view["totalAmount"] == "9.50"


def test_the_view_says_when_the_cart_expires(service: CartService) -> None:
    view = cart_view(service.create_cart(CreateCart("customer-42", "USD")).priced)
    assert view["expiresAt"] == "2026-12-25T16:00:01.000Z"  # 30 days after the change
    later = cart_view(service.add_item("cart-0", AddItem("BEANS", 1)))
    assert later["expiresAt"] == "2026-12-25T16:00:02.000Z"


def test_a_cart_past_its_lifetime_is_not_found(products: InMemoryProductRepository) -> None:
    clock = Ticking()
    carts = InMemoryCartRepository()
    service = CartService(
        carts,
        pricing(products),
        fixed_keys,
        InMemoryCodeAttempts(),
        InMemoryStockLedger(products, InMemoryReceiptStore()),
        carts.sweep,
        lifetime=timedelta(seconds=2),
        clock=clock,
        new_cart_id=lambda: "c",
    )
    service.create_cart(CreateCart("customer-42", "USD"))
    clock.now += timedelta(seconds=5)
    with pytest.raises(CartNotFound):
        service.get_cart("c")
    with pytest.raises(CartNotFound):
        service.add_item("c", AddItem("BEANS", 1))


def test_if_match_on_a_stale_version_is_refused_and_changes_nothing(service: CartService) -> None:
    service.create_cart(CreateCart("customer-42", "USD"))
    assert (
        service.add_item(
            "cart-0", AddItem("BEANS", 1), RequestContext(expected_version=1)
        ).cart.version
        == 2
    )
    with pytest.raises(PreconditionFailed):
        service.update_item("cart-0", "BEANS", UpdateItem(5), RequestContext(expected_version=1))
    with pytest.raises(PreconditionFailed):
        service.delete_cart("cart-0", RequestContext(expected_version=1))
    assert service.get_cart("cart-0").item_count == 1
    service.delete_cart("cart-0", RequestContext(expected_version=2))


def test_a_customers_carts_come_newest_first_a_page_at_a_time(service: CartService) -> None:
    for _ in range(5):
        service.create_cart(CreateCart("customer-42", "USD"))
    service.create_cart(CreateCart("someone-else", "USD"))
    first = service.list_customer_carts("customer-42", ListCarts(2, None))
    assert [c.cart_id for c in first.carts] == ["cart-4", "cart-3"]
    assert first.next_token is not None
    second = service.list_customer_carts("customer-42", ListCarts(2, first.next_token))
    third = service.list_customer_carts("customer-42", ListCarts(2, second.next_token))
    assert [c.cart_id for c in second.carts + third.carts] == ["cart-2", "cart-1", "cart-0"]
    assert third.next_token is None


def test_a_page_token_works_only_for_its_customer_and_unaltered(service: CartService) -> None:
    for _ in range(3):
        service.create_cart(CreateCart("customer-42", "USD"))
    token = service.list_customer_carts("customer-42", ListCarts(1, None)).next_token
    assert token is not None
    for forged in (token[:-2] + "xx", "x" + token, token.replace(".", ""), "abc.def"):
        with pytest.raises(InvalidInput):
            service.list_customer_carts("customer-42", ListCarts(1, forged))
    with pytest.raises(InvalidInput):
        service.list_customer_carts("customer-7", ListCarts(1, token))


def test_merging_moves_every_line_adds_quantities_and_deletes_the_source(
    service: CartService,
) -> None:
    service.create_cart(CreateCart("customer-42", "USD"))  # cart-0: the signed-in cart
    service.create_cart(CreateCart("guest", "USD"))  # cart-1: the guest's cart
    service.add_item("cart-0", AddItem("BEANS", 1))
    service.add_item("cart-1", AddItem("BEANS", 2))
    service.add_item("cart-1", AddItem("FILTERS", 3))
    before = service.get_cart("cart-0").cart.version
    merged = cart_view(service.merge_carts("cart-0", MergeCarts("cart-1")))
    assert [(i["productId"], i["quantity"]) for i in merged["items"]] == [
        ("BEANS", 3),
        ("FILTERS", 3),
    ]
    assert service.get_cart("cart-0").cart.version == before + 1
    with pytest.raises(CartNotFound):
        service.get_cart("cart-1")
    with pytest.raises(CartNotFound):  # retrying a merge that succeeded
        service.merge_carts("cart-0", MergeCarts("cart-1"))


def test_a_merge_over_a_limit_or_across_currencies_moves_nothing(service: CartService) -> None:
    service.create_cart(CreateCart("customer-42", "USD"))
    service.create_cart(CreateCart("guest", "USD"))
    service.create_cart(CreateCart("euro-guest", "EUR"))
    service.add_item("cart-0", AddItem("BEANS", 600))
    service.add_item("cart-1", AddItem("BEANS", 400))
    with pytest.raises(QuantityLimitExceeded):
        service.merge_carts("cart-0", MergeCarts("cart-1"))
    with pytest.raises(CurrencyMismatch):
        service.merge_carts("cart-0", MergeCarts("cart-2"))
    assert service.get_cart("cart-0").item_count == 600
    assert service.get_cart("cart-1").item_count == 400
    with pytest.raises(MergeIntoItself):
        service.merge_carts("cart-0", MergeCarts("cart-0"))


def test_checkout_freezes_prices_and_the_cart(
    service: CartService, products: InMemoryProductRepository
) -> None:
    service.create_cart(CreateCart("customer-42", "USD"))
    service.add_item("cart-0", AddItem("BEANS", 2))
    checked_out = cart_view(service.check_out("cart-0"))
    assert (checked_out["status"], checked_out["totalAmount"]) == ("CHECKED_OUT", "39.98")
    products.products["BEANS"] = Product("BEANS", "Beans", Money(Decimal("25.00"), "USD"))
    assert cart_view(service.get_cart("cart-0"))["totalAmount"] == "39.98"
    changes: list[Callable[[], object]] = [
        lambda: service.add_item("cart-0", AddItem("BEANS", 1)),
        lambda: service.update_item("cart-0", "BEANS", UpdateItem(1)),
        lambda: service.remove_item("cart-0", "BEANS"),
        lambda: service.check_out("cart-0"),
    ]
    for change in changes:
        with pytest.raises(CartNotActive):
            change()


def test_checkout_refuses_unavailable_lines_naming_them_and_empty_carts(
    service: CartService, products: InMemoryProductRepository
) -> None:
    service.create_cart(CreateCart("customer-42", "USD"))
    with pytest.raises(CartEmpty):
        service.check_out("cart-0")
    service.add_item("cart-0", AddItem("BEANS", 1))
    service.add_item("cart-0", AddItem("FILTERS", 1))
    del products.products["FILTERS"]
    with pytest.raises(ProductsUnavailable) as refused:
        service.check_out("cart-0")
    assert refused.value.product_ids == ["FILTERS"]
    assert service.get_cart("cart-0").cart.status == "ACTIVE"
