"""Stock taken at checkout over real HTTP: carts checking out a limited lot at once, or one
after another, sell exactly what the shop has, and never more."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import requests

from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.domain.stock import spread
from chalicelib.dynamodb.products import DynamoProductRepository
from tests.e2e.conftest import Stack

JSON = {"Content-Type": "application/json"}


def catalog(stack: Stack) -> DynamoProductRepository:
    settings = stack.settings
    return DynamoProductRepository(stack.dynamodb, settings.products_table, settings.stock_table)


def cart_holding(stack: Stack, product_id: str, quantity: int) -> str:
    with requests.Session() as session:
        body = {"customerId": "flash-shopper"}
        created = session.post(f"{stack.base_url}/carts", json=body, timeout=30)
        assert created.status_code == 201, created.text
        cart = created.json()["cartId"]
        added = session.post(
            f"{stack.base_url}/carts/{cart}/items",
            json={"productId": product_id, "quantity": quantity},
            timeout=30,
        )
        assert added.status_code == 200, added.text
        return str(cart)


def check_out_at_once(stack: Stack, carts: list[str]) -> list[Any]:
    start = threading.Barrier(len(carts))

    def check_out(cart: str) -> Any:
        with requests.Session() as session:
            start.wait(timeout=60)
            return session.post(
                f"{stack.base_url}/carts/{cart}/checkout", json={}, headers=JSON, timeout=120
            )

    with ThreadPoolExecutor(max_workers=len(carts)) as pool:
        return list(pool.map(check_out, carts))


def test_carts_checking_out_a_lot_at_once_sell_exactly_its_units(stack: Stack) -> None:
    """Eleven carts of one unit each check out at the same moment a lot of 3 spread over 2
    shards: 3 are sold, 8 are refused with 409 naming what is left, none fails otherwise."""
    lot = Product("FLASH-LOT", "Flash lot", Money(Decimal("25.00"), "USD"), spread(3, 2), 2)
    catalog(stack).put_many([lot])
    carts = [cart_holding(stack, "FLASH-LOT", 1) for _ in range(11)]
    answers = check_out_at_once(stack, carts)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] * 3 + [409] * 8, [a.text for a in answers if a.status_code != 200]
    for refused in (answer.json() for answer in answers if answer.status_code == 409):
        assert refused["code"] == "INSUFFICIENT_STOCK"
        assert refused["warnings"] == [
            {"code": "INSUFFICIENT_STOCK", "productId": "FLASH-LOT", "available": 0}
        ]
    assert catalog(stack).get_many(["FLASH-LOT"])["FLASH-LOT"].stock_levels == (0, 0)


def test_checkouts_one_after_another_sell_the_units_and_again_after_a_restock(
    stack: Stack,
) -> None:
    lot = Product("SLOW-LOT", "Slow lot", Money(Decimal("9.00"), "USD"), (2,))
    catalog(stack).put_many([lot])
    carts = [cart_holding(stack, "SLOW-LOT", 1) for _ in range(4)]
    with requests.Session() as session:
        statuses = [
            session.post(f"{stack.base_url}/carts/{cart}/checkout", timeout=30).status_code
            for cart in carts[:3]
        ]
        assert statuses == [200, 200, 409]
        catalog(stack).set_stock({"SLOW-LOT": (1,)})  # the shop counts one more
        again = session.post(f"{stack.base_url}/carts/{carts[2]}/checkout", timeout=30)
        assert (again.status_code, again.json()["status"]) == (200, "CHECKED_OUT")
        last = session.post(f"{stack.base_url}/carts/{carts[3]}/checkout", timeout=30)
        assert (last.status_code, last.json()["code"]) == (409, "INSUFFICIENT_STOCK")
