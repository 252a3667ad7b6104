"""Holds on a real stack, over HTTP: a flash sale of a limited lot sells exactly its units,
a lapsed hold's units go to the next cart that asks, and one client address opening many
guest carts holds no more than its cap."""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
import requests

from chalicelib.domain.holds import HOLDS_PER_ADDRESS
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.domain.stock import spread
from chalicelib.dynamodb.tables import TABLES
from tests.e2e.conftest import WARM_CATALOG, Stack, new_storage, serve
from tests.e2e.test_abuse_limits import client_at, guest_cart
from tests.e2e.test_stock import catalog, check_out_at_once

JSON = {"Content-Type": "application/json"}


def new_carts(stack: Stack, count: int) -> list[str]:
    with requests.Session() as session:
        return [
            session.post(
                f"{stack.base_url}/carts", json={"customerId": "flash"}, timeout=30
            ).json()["cartId"]
            for _ in range(count)
        ]


def add_at_once(stack: Stack, carts: list[str], product_id: str, quantity: int) -> list[Any]:
    start = threading.Barrier(len(carts))

    def add(cart: str) -> Any:
        with requests.Session() as session:
            start.wait(timeout=60)
            body: dict[str, Any] = {"productId": product_id, "quantity": quantity}
            return session.post(f"{stack.base_url}/carts/{cart}/items", json=body, timeout=120)

    with ThreadPoolExecutor(max_workers=len(carts)) as pool:
        return list(pool.map(add, carts))


@pytest.fixture(scope="module")
def flash_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of its own for the flash sale: tables that hold nothing else (moto copies the
    tables a transaction touches), 5 s for each DynamoDB call (moto answers a hundred
    carts at once in seconds, where DynamoDB takes milliseconds), and a warm catalog (the
    lot is put before the sale opens)."""
    tables = {table.variable: f"Flash{table.name}" for table in TABLES.values()}
    with new_storage(tables) as storage:
        environment = {"API_AUTH": "none", "DYNAMODB_READ_TIMEOUT": "5", **WARM_CATALOG}
        yield from serve(storage, tmp_path_factory, environment)


def test_a_flash_sale_of_forty_units_to_a_hundred_carts_sells_exactly_forty(
    flash_stack: Stack,
) -> None:
    """100 carts add 2 of a lot of 40 (2 a cart, held 15 minutes, on 4 shards) at the same
    moment: 20 hold 2 each, 80 are refused 409 naming what is left (0); the 20 then check
    out at once and all succeed, taking nothing more. No answer is a 5xx."""
    stack = flash_stack
    lot = Product(
        "SALE-LOT", "Flash sale lot", Money(Decimal("49.00"), "USD"), spread(40, 4), 2, None, 15
    )
    catalog(stack).put_many([lot])
    carts = new_carts(stack, 100)
    added = add_at_once(stack, carts, "SALE-LOT", 2)
    assert all(answer.status_code < 500 for answer in added), [a.text for a in added]
    holding = [cart for cart, answer in zip(carts, added, strict=True) if answer.ok]
    assert len(holding) == 20, sorted(answer.status_code for answer in added)
    for answer in added:
        if answer.ok:
            (line,) = answer.json()["items"]
            assert line["heldUntil"] is not None
            continue
        assert (answer.status_code, answer.json()["code"]) == (409, "INSUFFICIENT_STOCK")
        assert answer.json()["warnings"] == [
            {"code": "INSUFFICIENT_STOCK", "productId": "SALE-LOT", "available": 0}
        ]
    assert catalog(stack).get_many(["SALE-LOT"])["SALE-LOT"].stock_levels == (0, 0, 0, 0)
    checked_out = check_out_at_once(stack, holding)
    assert [answer.status_code for answer in checked_out] == [200] * 20
    sold = sum(answer.json()["itemCount"] for answer in checked_out)
    assert sold == 40
    assert catalog(stack).get_many(["SALE-LOT"])["SALE-LOT"].stock_levels == (0, 0, 0, 0)


def test_a_lapsed_holds_units_go_to_the_next_cart_that_asks(stack: Stack) -> None:
    """A lot of 2 held for one second: a second cart is refused while the first holds it,
    and gets it once the hold lapsed (reclaimed on demand, before any sweep) and checks it
    out; the first cart's line then warns HOLD_EXPIRED, and its checkout finds none left."""
    lot = Product("BRIEF-LOT", "Brief lot", Money(Decimal("5.00"), "USD"), (2,), 2, None, 1 / 60)
    catalog(stack).put_many([lot])
    first, second = new_carts(stack, 2)
    url = f"{stack.base_url}/carts"
    with requests.Session() as session:
        body: dict[str, Any] = {"productId": "BRIEF-LOT", "quantity": 2}
        assert session.post(f"{url}/{first}/items", json=body, timeout=30).ok
        refused = session.post(f"{url}/{second}/items", json=body, timeout=30)
        assert (refused.status_code, refused.json()["code"]) == (409, "INSUFFICIENT_STOCK")
        threading.Event().wait(2.2)  # a hold's deadline is a whole second, rounded up
        taken = session.post(f"{url}/{second}/items", json=body, timeout=30)
        assert taken.status_code == 200, taken.text
        assert taken.json()["items"][0]["heldUntil"] is not None
        # Its units are still out of stock if its own hold lapsed meanwhile: they convert.
        assert session.post(f"{url}/{second}/checkout", json={}, timeout=30).ok
        lapsed = session.get(f"{url}/{first}", timeout=30).json()
        assert lapsed["items"][0]["heldUntil"] is None
        assert {w["code"] for w in lapsed["warnings"]} == {"HOLD_EXPIRED", "INSUFFICIENT_STOCK"}
        too_late = session.post(f"{url}/{first}/checkout", json={}, timeout=30)
        assert (too_late.status_code, too_late.json()["code"]) == (409, "INSUFFICIENT_STOCK")


def test_one_address_opening_many_guest_carts_holds_no_more_than_its_cap(
    shopper_stack: Stack,
) -> None:
    """A bot at one address opens guest carts and adds 2 of a lot to each: its carts hold
    HOLDS_PER_ADDRESS units in all, the rest of its lines hold none, and the lot stays on
    sale for another address."""
    lot = Product("BOT-LOT", "Bot bait", Money(Decimal("80.00"), "USD"), spread(40, 2), 2, None, 15)
    catalog(shopper_stack).put_many([lot])
    bot = client_at("127.0.0.9")
    held = unheld = 0
    for _ in range(HOLDS_PER_ADDRESS):
        cart, headers = guest_cart(shopper_stack, bot)
        url = f"{shopper_stack.base_url}/carts/{cart}/items"
        answer = bot.post(url, json={"productId": "BOT-LOT", "quantity": 2}, headers=headers)
        assert answer.status_code == 200, answer.text
        line = answer.json()["items"][0]
        held += 2 if line["heldUntil"] is not None else 0
        unheld += 2 if line["heldUntil"] is None else 0
    assert (held, unheld) == (HOLDS_PER_ADDRESS, HOLDS_PER_ADDRESS)
    assert catalog(shopper_stack).get_many(["BOT-LOT"])["BOT-LOT"].stock == 40 - HOLDS_PER_ADDRESS
    shopper = client_at("127.0.0.10")
    cart, headers = guest_cart(shopper_stack, shopper)
    url = f"{shopper_stack.base_url}/carts/{cart}/items"
    answer = shopper.post(url, json={"productId": "BOT-LOT", "quantity": 2}, headers=headers)
    assert answer.json()["items"][0]["heldUntil"] is not None
