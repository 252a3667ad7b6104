"""Idempotency-Key at the edge, on the in-memory repositories: a keyed change commits its
receipt with it, and every later request with the key answers from that receipt."""

from decimal import Decimal
from typing import Any

import pytest

from chalicelib.domain.errors import IdempotencyKeyReused, ProductNotFound
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.edge import operations as op
from chalicelib.edge.operations import Incoming, Reply
from chalicelib.edge.runner import run
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


class Edge:
    def __init__(self) -> None:
        self.receipts = InMemoryReceiptStore()
        self.carts = InMemoryCartRepository(self.receipts)
        beans = Product("BEANS", "Beans", Money(Decimal("19.99"), "USD"))
        catalog = InMemoryProductRepository([beans])
        self.service = CartService(
            self.carts,
            pricing(catalog),
            fixed_keys,
            InMemoryCodeAttempts(),
            InMemoryStockLedger(catalog, self.receipts),
            self.carts.sweep,
        )

    def send(
        self, operation: op.Operation, body: dict[str, Any], key: str | None, **path: str
    ) -> Reply:
        request = Incoming(path, body, {}, None, key)
        return run(operation, request, self.service, self.receipts)


@pytest.fixture
def edge() -> Edge:
    return Edge()


def test_a_retried_create_answers_the_first_and_makes_one_cart(edge: Edge) -> None:
    first = edge.send(op.CREATE_CART, {"customerId": "c-1"}, "k-1")
    again = edge.send(op.CREATE_CART, {"customerId": "c-1"}, "k-1")
    assert (again.status, again.body, again.headers) == (201, first.body, first.headers)
    assert len(edge.carts.carts) == 1


def test_a_retried_add_is_applied_once(edge: Edge) -> None:
    cart = edge.send(op.CREATE_CART, {"customerId": "c-1"}, None).body["cartId"]
    add = {"productId": "BEANS", "quantity": 2}
    first = edge.send(op.ADD_ITEM, add, "k-2", cartId=cart)
    assert edge.send(op.ADD_ITEM, add, "k-2", cartId=cart) == first
    assert edge.carts.carts[cart].lines[0].quantity == 2


def test_the_same_key_for_another_request_is_refused_and_changes_nothing(edge: Edge) -> None:
    cart = edge.send(op.CREATE_CART, {"customerId": "c-1"}, None).body["cartId"]
    edge.send(op.ADD_ITEM, {"productId": "BEANS", "quantity": 2}, "k-3", cartId=cart)
    with pytest.raises(IdempotencyKeyReused):
        edge.send(op.ADD_ITEM, {"productId": "BEANS", "quantity": 3}, "k-3", cartId=cart)
    with pytest.raises(IdempotencyKeyReused):
        edge.send(op.CREATE_CART, {"customerId": "c-1"}, "k-3")
    assert edge.carts.carts[cart].lines[0].quantity == 2


def test_a_refused_request_keeps_no_receipt_so_its_retry_runs(edge: Edge) -> None:
    cart = edge.send(op.CREATE_CART, {"customerId": "c-1"}, None).body["cartId"]
    with pytest.raises(ProductNotFound):
        edge.send(op.ADD_ITEM, {"productId": "NOPE", "quantity": 1}, "k-4", cartId=cart)
    assert edge.receipts.receipts == {}


def test_a_retry_whose_first_answer_was_not_kept_answers_the_cart_as_it_is(edge: Edge) -> None:
    cart = edge.send(op.CREATE_CART, {"customerId": "c-1"}, None).body["cartId"]
    add = {"productId": "BEANS", "quantity": 1}
    edge.send(op.ADD_ITEM, add, "k-5", cartId=cart)
    key = next(iter(edge.receipts.receipts))
    edge.receipts.receipts[key] = edge.receipts.receipts[key]._replace(reply=None)  # lost
    again = edge.send(op.ADD_ITEM, add, "k-5", cartId=cart)
    assert (again.status, again.body["itemCount"]) == (200, 1)
    assert edge.receipts.receipts[key].reply == again._asdict()  # kept now
