"""A discount code's usage limit holds exactly when its checkouts race, over real HTTP."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import requests

from chalicelib.domain.promotions import PERCENT_OFF_CART, Promotion
from chalicelib.dynamodb.promotions import DynamoPromotionRepository, uses_key
from tests.e2e.conftest import Stack

CHECKOUTS = 20
LIMIT = 5


def test_twenty_concurrent_checkouts_use_a_code_limited_to_five_exactly_five_times(
    fresh_catalog_stack: Stack,
) -> None:
    stack = fresh_catalog_stack  # the code made here is a promotion the carts see at once
    code = f"RACE{uuid.uuid4().hex[:8].upper()}"
    promotion = Promotion(
        f"race-{code}",
        "15% off, five orders",
        PERCENT_OFF_CART,
        Decimal(15),
        code=code,
        usage_limit=LIMIT,
    )
    settings = stack.settings
    DynamoPromotionRepository(
        stack.dynamodb, settings.promotions_table, settings.promotion_uses_table
    ).put_many([promotion])
    carts = []
    with requests.Session() as session:
        for n in range(CHECKOUTS):
            owner = {"customerId": f"racer-{n}"}
            created = session.post(f"{stack.base_url}/carts", json=owner, timeout=30)
            cart = created.json()["cartId"]
            line: dict[str, Any] = {"productId": "ESP-1KG", "quantity": 1}
            session.post(f"{stack.base_url}/carts/{cart}/items", json=line, timeout=30)
            entered = session.post(
                f"{stack.base_url}/carts/{cart}/discount-codes", json={"code": code}, timeout=30
            )
            assert entered.json()["discountAmount"] == "3.00", entered.text  # 15% of 19.99
            carts.append(cart)
    start = threading.Barrier(CHECKOUTS)

    def check_out(cart: str) -> tuple[int, str | None]:
        with requests.Session() as session:
            start.wait()
            answer = session.post(f"{stack.base_url}/carts/{cart}/checkout", timeout=60)
            body = answer.json()
            return answer.status_code, body.get("reason")

    with ThreadPoolExecutor(max_workers=CHECKOUTS) as pool:
        outcomes = list(pool.map(check_out, carts))
    assert sorted(outcomes, key=str) == sorted(
        [(200, None)] * LIMIT + [(409, "USED_UP")] * (CHECKOUTS - LIMIT), key=str
    )
    statuses = []
    with requests.Session() as session:
        for cart in carts:
            view = session.get(f"{stack.base_url}/carts/{cart}", timeout=30).json()
            statuses.append((view["status"], view["totalAmount"]))
    assert sorted(statuses) == sorted(
        [("CHECKED_OUT", "16.99")] * LIMIT + [("ACTIVE", "16.99")] * (CHECKOUTS - LIMIT)
    )
    counter = stack.dynamodb.get_item(
        TableName=settings.promotion_uses_table,
        Key=uses_key(promotion.promotion_id),
        ConsistentRead=True,
    )["Item"]
    assert counter["uses"] == {"N": str(LIMIT)}
