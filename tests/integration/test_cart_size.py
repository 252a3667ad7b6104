"""A cart's size budget: whatever a cart holds, its view, receipt and events fit their stores,
and a change the service saw commit is never answered with an error.

The largest cart the budget allows (100 lines of products with the longest ids and names,
the budget of free text filled to the byte with random characters outside the BMP, which
take 4 bytes each and do not compress) takes every keyed change and its retry.
"""

from __future__ import annotations

import json
import random
import uuid
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.domain.size import MAX_CART_TEXT_BYTES, text_bytes
from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.settings import Settings
from tests.integration.clients import Api

DYNAMODB_ITEM_LIMIT = 400 * 1024
ROOM_TO_SPARE = 2
"""The largest receipt and cart rows must fit their item limit at least this many times."""

_random = random.Random(24)


def wide(characters: int) -> str:
    """Random characters outside the BMP: 4 bytes each in UTF-8, 12 as JSON escapes."""
    return "".join(chr(_random.randrange(0x10000, 0x110000)) for _ in range(characters))


def wide_pairs(budget: int, most: int) -> dict[str, str]:
    """Up to `most` attribute pairs of 40-character keys and values of up to 256 wide
    characters, taking exactly `budget` bytes (or all `most` pairs, if fewer)."""
    pairs: dict[str, str] = {}
    while budget >= 44 and len(pairs) < most:
        key = f"{len(pairs):02d}" + "k" * 38
        value = wide(min(256, (budget - 40) // 4))
        pairs[key] = value
        budget -= text_bytes(key) + text_bytes(value)
    return pairs


def send(api: Api, method: str, path: str, body: Any = None, key: str | None = None) -> Any:
    """A request whose body is sent as UTF-8 (4 bytes a wide character, not 12)."""
    raw = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
    return api.call(method, path, raw, {"Idempotency-Key": key} if key else None)


def products(dynamodb: Any, settings: Settings, count: int) -> list[str]:
    """`count` products with ids of 64 characters and names of 200 wide characters."""
    ids = [f"{index:03d}-{uuid.uuid4().hex}".ljust(64, "x") for index in range(count)]
    DynamoProductRepository(dynamodb, settings.products_table, settings.stock_table).put_many(
        Product(pid, wide(200), Money(Decimal("1.00"), "USD")) for pid in ids
    )
    return ids


def largest_cart(api: Api, dynamodb: Any, settings: Settings) -> tuple[str, list[str]]:
    """100 lines and MAX_CART_TEXT_BYTES of free text: the note, 20 cart attributes, and
    line attributes on as many lines as the rest takes."""
    ids = products(dynamodb, settings, 100)
    cart = api.new_cart()
    note, cart_pairs = wide(500), wide_pairs(MAX_CART_TEXT_BYTES, 20)
    noted = send(api, "PATCH", f"/carts/{cart}", {"note": note, "attributes": cart_pairs})
    assert noted.status_code == 200, noted.json
    left = MAX_CART_TEXT_BYTES - text_bytes(note) - sum(map(text_bytes, [*cart_pairs.values()]))
    left -= sum(map(text_bytes, cart_pairs))
    for first in range(0, 100, 10):
        operations = []
        for pid in ids[first : first + 10]:
            pairs = wide_pairs(left, 10)
            left -= sum(text_bytes(k) + text_bytes(v) for k, v in pairs.items())
            operations.append({"op": "add", "productId": pid, "quantity": 1, "attributes": pairs})
        added = send(api, "PATCH", f"/carts/{cart}/items", {"operations": operations})
        assert added.status_code == 200, added.json
    assert left < 44  # less than the smallest pair: the budget is full
    return cart, ids


def stored_item_bytes(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB counts it: names and values (UTF-8 text, binary, digits)."""

    def value_bytes(value: dict[str, Any]) -> int:
        ((kind, held),) = value.items()
        if kind == "S":
            return len(held.encode())
        if kind == "B":
            return len(held)
        if kind == "N":
            return len(held)
        if kind == "M":
            return sum(len(k.encode()) + value_bytes(v) + 1 for k, v in held.items()) + 3
        if kind == "L":
            return sum(value_bytes(v) + 1 for v in held) + 3
        return 1

    return sum(len(name.encode()) + value_bytes(value) for name, value in item.items())


def largest_stored(dynamodb: Any, table: str) -> int:
    items = dynamodb.scan(TableName=table)["Items"]
    return max(stored_item_bytes(item) for item in items)


@pytest.mark.timeout(300)
def test_the_largest_cart_answers_every_keyed_change_and_its_retry_once(
    api: Api, dynamodb: Any, settings: Settings
) -> None:
    cart, ids = largest_cart(api, dynamodb, settings)
    view = api.call("GET", f"/carts/{cart}")
    assert (view.json["itemCount"], len(view.json["items"])) == (100, 100)
    source = api.new_cart()
    send(api, "POST", f"/carts/{source}/items", {"productId": ids[0], "quantity": 2})
    same_size_note = wide(500)
    changes: list[tuple[str, str, Any, int]] = [
        ("POST", f"/carts/{cart}/items", {"productId": ids[1], "quantity": 1}, 101),
        ("PUT", f"/carts/{cart}/items/{ids[2]}", {"quantity": 3}, 103),
        ("DELETE", f"/carts/{cart}/items/{ids[99]}", None, 102),
        ("POST", f"/carts/{cart}/items", {"productId": ids[99], "quantity": 1}, 103),
        (
            "PATCH",
            f"/carts/{cart}/items",
            {"operations": [{"op": "add", "productId": ids[3], "quantity": 1}]},
            104,
        ),
        ("PATCH", f"/carts/{cart}", {"note": same_size_note}, 104),
        ("PATCH", f"/carts/{cart}", {"attributes": wide_pairs(20 * 1064, 20)}, 104),
        ("POST", f"/carts/{cart}/discount-codes", {"code": "WELCOME10"}, 104),
        ("DELETE", f"/carts/{cart}/discount-codes/WELCOME10", None, 104),
        ("POST", f"/carts/{cart}/merge", {"sourceCartId": source}, 106),
        ("POST", f"/carts/{cart}/checkout", None, 106),
    ]
    views = []
    for method, path, body, items in changes:
        key = str(uuid.uuid4())
        first = send(api, method, path, body, key)
        views.append(first.json)
        assert first.status_code == 200, (method, path, first.json)
        assert first.json["itemCount"] == items
        version = first.headers["ETag"]
        again = send(api, method, path, body, key)
        assert (again.status_code, again.json, again.headers["ETag"]) == (200, first.json, version)
        assert api.call("GET", f"/carts/{cart}").headers["ETag"] == version  # applied once
    assert api.call("GET", f"/carts/{cart}").json["status"] == "CHECKED_OUT"
    receipt = largest_stored(dynamodb, settings.idempotency_table)
    cart_row = largest_stored(dynamodb, settings.carts_table)
    line_row = largest_stored(dynamodb, settings.cart_items_table)
    largest_view = max(len(json.dumps(r, ensure_ascii=False).encode()) for r in views)
    sizes = {"view": largest_view, "receipt": receipt, "cart row": cart_row, "line": line_row}
    assert max(sizes.values()) * ROOM_TO_SPARE < DYNAMODB_ITEM_LIMIT, sizes  # even undeflated


def test_text_past_the_budget_is_refused_naming_the_field_and_changes_nothing(
    api: Api, dynamodb: Any, settings: Settings
) -> None:
    ids = products(dynamodb, settings, 8)
    cart = api.new_cart()
    pairs = wide_pairs(10 * 1064, 10)  # ten keys of 40 and values of 256 wide characters
    refused = None
    for pid in ids:  # the attack of the issue: line after line of wide attributes
        refused = send(
            api,
            "POST",
            f"/carts/{cart}/items",
            {"productId": pid, "quantity": 1, "attributes": pairs},
            "k" + pid[:20],
        )
        if refused.status_code != 200:
            break
    assert refused is not None and refused.status_code == 400, refused
    assert refused.json["code"] == "CART_TOO_LARGE"
    assert [error["field"] for error in refused.json["errors"]] == ["attributes"]
    before = api.call("GET", f"/carts/{cart}")
    assert len(before.json["items"]) == 6  # 6 lines of 10640 bytes fit 65536, a 7th not
    note = send(api, "PATCH", f"/carts/{cart}", {"note": wide(500)})
    assert (note.status_code, note.json["code"]) == (400, "CART_TOO_LARGE")
    assert note.json["errors"][0]["field"] == "note"
    batch = send(
        api,
        "PATCH",
        f"/carts/{cart}/items",
        {
            "operations": [
                {"op": "set", "productId": ids[0], "quantity": 2},
                {"op": "add", "productId": ids[7], "quantity": 1, "attributes": pairs},
            ]
        },
    )
    assert (batch.status_code, batch.json["errors"][0]["field"]) == (
        400,
        "operations[1].attributes",
    )
    source = api.new_cart()
    moved = send(
        api,
        "POST",
        f"/carts/{source}/items",
        {"productId": ids[7], "quantity": 1, "attributes": pairs},
    )
    assert moved.status_code == 200
    merge = send(api, "POST", f"/carts/{cart}/merge", {"sourceCartId": source})
    assert (merge.status_code, merge.json["errors"][0]["field"]) == (400, "sourceCartId")
    assert api.call("GET", f"/carts/{cart}").json == before.json  # nothing changed
    assert api.call("GET", f"/carts/{source}").status_code == 200  # the source stays
    shorter = send(
        api, "PUT", f"/carts/{cart}/items/{ids[0]}", {"quantity": 1, "attributes": {"gift": "yes"}}
    )
    assert shorter.status_code == 200  # less text always fits
