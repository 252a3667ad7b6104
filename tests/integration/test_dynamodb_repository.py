"""What only the DynamoDB adapter can get wrong: pages, batches, retries and failures."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from chalicelib import wiring
from chalicelib.domain.cart import MAX_LINES, Cart
from chalicelib.domain.change import Change
from chalicelib.domain.errors import (
    CartBeingMerged,
    CartNotFound,
    ConcurrentUpdate,
    StorageUnavailable,
)
from chalicelib.domain.lines import CartLine
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.domain.receipts import Receipt
from chalicelib.dynamodb.carts import DynamoCartRepository
from chalicelib.dynamodb.expressions import LINE_EXPIRY_GRACE
from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.settings import Settings
from chalicelib.wiring import dynamodb_client
from tests.faults import (
    FaultInjector,
    dynamodb_answer,
    dynamodb_error,
    throttled,
    transaction_conflict,
)
from tests.integration.test_repository_contract import merged_of

T0 = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
LIFETIME = timedelta(days=30)
BEANS = Product("BEANS", "Beans", Money(Decimal("19.99"), "USD"))


def product(index: int) -> Product:
    return Product(f"P{index:03}", f"Product {index}", Money(Decimal("1.00"), "USD"))


def repository(client: Any, settings: Settings, **options: Any) -> DynamoCartRepository:
    return wiring.cart_repository(settings, client, **options)


def at(seconds: float) -> Change:
    now = T0 + timedelta(seconds=seconds)
    return Change(now, (now + LIFETIME).replace(microsecond=0))


def cart_with_lines(carts: DynamoCartRepository, count: int, cart_id: str = "c-1") -> None:
    """A cart of `count` lines of one unit, a millisecond apart: up to 99 created with the
    cart (its row and 99 lines fill one transaction), the rest added."""
    created = [
        CartLine(p.product_id, p.name, 1, at(n / 1000).now, {}, p.unit_price.amount)
        for n, p in enumerate(map(product, range(min(count, MAX_LINES - 1))))
    ]
    carts.create(Cart(cart_id, "customer-42", "USD", T0, T0, T0 + LIFETIME, lines=created), at(0))
    for index in range(len(created), count):
        carts.add_line(cart_id, product(index), 1, at(index / 1000))


def line_rows(client: Any, settings: Settings, cart_id: str) -> list[Any]:
    return client.query(  # type: ignore[no-any-return]
        TableName=settings.cart_items_table,
        KeyConditionExpression="cartId = :c",
        ExpressionAttributeValues={":c": {"S": cart_id}},
    )["Items"]


def test_every_page_of_lines_is_read(dynamodb: Any, settings: Settings) -> None:
    carts = repository(dynamodb, settings, page_size=3)
    cart_with_lines(carts, 10)
    injector = FaultInjector(dynamodb)
    lines = carts.get("c-1", T0).lines
    assert [line.product_id for line in lines] == [f"P{i:03}" for i in range(10)]
    assert injector.calls["Query"] == 4


def test_delete_removes_every_line_of_a_full_cart(dynamodb: Any, settings: Settings) -> None:
    carts = repository(dynamodb, settings)
    cart_with_lines(carts, 100)
    cart_with_lines(carts, 2, "other")
    injector = FaultInjector(dynamodb)
    carts.delete("c-1", at(1)._replace(change_id="delete-1"))
    assert line_rows(dynamodb, settings, "c-1") == []
    assert len(line_rows(dynamodb, settings, "other")) == 2
    assert injector.calls["BatchWriteItem"] == 4  # 100 lines in batches of 25
    row = dynamodb.get_item(TableName=settings.carts_table, Key={"cartId": {"S": "c-1"}})
    assert "Item" not in row  # nothing of the cart lingers, its marked row neither


def test_a_transaction_conflict_is_retried(dynamodb: Any, settings: Settings) -> None:
    carts = repository(dynamodb, settings)
    cart_with_lines(carts, 0)
    injector = FaultInjector(dynamodb)
    injector.fail("TransactWriteItems", transaction_conflict, times=2)
    carts.add_line("c-1", BEANS, 2, at(0))
    assert carts.get("c-1", T0).lines[0].quantity == 2
    assert injector.calls["TransactWriteItems"] == 3


def test_a_conflict_that_persists_is_concurrent_update_and_writes_nothing(
    dynamodb: Any, settings: Settings
) -> None:
    carts = repository(dynamodb, settings, conflict_attempts=3)
    cart_with_lines(carts, 0)
    FaultInjector(dynamodb).fail("TransactWriteItems", transaction_conflict)
    with pytest.raises(ConcurrentUpdate):
        carts.add_line("c-1", BEANS, 2, at(0))
    assert carts.get("c-1", T0).lines == []


def test_throttling_is_retried_by_botocore(dynamodb: Any, settings: Settings) -> None:
    carts = repository(dynamodb, settings)
    cart_with_lines(carts, 0)
    injector = FaultInjector(dynamodb)
    injector.fail("TransactWriteItems", throttled, times=2)
    carts.add_line("c-1", BEANS, 1, at(0))
    assert carts.get("c-1", T0).lines[0].quantity == 1
    assert injector.calls["TransactWriteItems"] == 3


def test_throttling_that_persists_is_storage_unavailable(dynamodb: Any, settings: Settings) -> None:
    carts = repository(dynamodb, settings)
    cart_with_lines(carts, 0)
    FaultInjector(dynamodb).fail("TransactWriteItems", throttled)
    with pytest.raises(StorageUnavailable):
        carts.add_line("c-1", BEANS, 1, at(0))
    assert carts.get("c-1", T0).lines == []


def test_a_cancellation_for_throttling_is_storage_unavailable(
    dynamodb: Any, settings: Settings
) -> None:
    carts = repository(dynamodb, settings)
    cart_with_lines(carts, 0)
    reasons = [{"Code": "ThrottlingError"}, {"Code": "None"}]
    FaultInjector(dynamodb).fail(
        "TransactWriteItems",
        lambda: dynamodb_error("TransactionCanceledException", CancellationReasons=reasons),
    )
    with pytest.raises(StorageUnavailable):
        carts.add_line("c-1", BEANS, 1, at(0))


def test_an_unreachable_dynamodb_is_storage_unavailable_quickly(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")  # nothing listens
    client = dynamodb_client(settings)
    with pytest.raises(StorageUnavailable):
        repository(client, settings).get("c-1", T0)


def test_products_are_read_with_their_stock_in_chunks_of_50(
    dynamodb: Any, settings: Settings
) -> None:
    products = DynamoProductRepository(dynamodb, settings.products_table, settings.stock_table)
    products.put_many(product(index) for index in range(250))
    injector = FaultInjector(dynamodb)
    found = products.get_many([f"P{i:03}" for i in range(250)] + ["NOPE"])
    assert len(found) == 250
    assert found["P007"].unit_price.format() == "1.00"
    assert injector.calls["BatchGetItem"] == 6  # 251 ids: 50 with their stock in each


def test_unprocessed_keys_are_fetched_again(dynamodb: Any, settings: Settings) -> None:
    products = DynamoProductRepository(dynamodb, settings.products_table, settings.stock_table)
    products.put_many([product(1), product(2)])
    table = settings.products_table
    p001 = {
        "productId": {"S": "P001"},
        "name": {"S": "Product 1"},
        "unitPrice": {"N": "1"},
        "currency": {"S": "USD"},
    }
    partial = {
        "Responses": {table: [p001]},
        "UnprocessedKeys": {table: {"Keys": [{"productId": {"S": "P002"}}]}},
    }
    injector = FaultInjector(dynamodb)
    injector.fail("BatchGetItem", lambda: dynamodb_answer(partial), times=1)
    assert set(products.get_many(["P001", "P002"])) == {"P001", "P002"}
    assert injector.calls["BatchGetItem"] == 2


def line_expiry(client: Any, settings: Settings, product_id: str) -> int:
    key = {"cartId": {"S": "c-1"}, "productId": {"S": product_id}}
    item = client.get_item(TableName=settings.cart_items_table, Key=key)["Item"]
    return int(item["expiresAt"]["N"])


def test_no_line_expires_before_its_cart(dynamodb: Any, settings: Settings) -> None:
    carts = repository(dynamodb, settings)
    cart_with_lines(carts, 2)  # lines P000 and P001, on day 0
    day = 24 * 3600
    carts.add_line("c-1", BEANS, 1, at(3 * day))  # within the grace: nothing else rewritten
    assert line_expiry(dynamodb, settings, "P000") == int(
        (at(0).expires_at + LINE_EXPIRY_GRACE).timestamp()
    )
    cart = carts.add_line("c-1", BEANS, 1, at(20 * day))  # now P000 would expire first
    cart_expiry = int(cart.expires_at.timestamp())
    for product_id in ("P000", "P001", "BEANS"):
        assert line_expiry(dynamodb, settings, product_id) > cart_expiry
    row = dynamodb.get_item(TableName=settings.carts_table, Key={"cartId": {"S": "c-1"}})["Item"]
    assert int(row["expiresAt"]["N"]) == cart_expiry


def all_lines(client: Any, settings: Settings, cart_id: str) -> dict[str, int]:
    return {
        item["productId"]["S"]: int(item["quantity"]["N"])
        for item in line_rows(client, settings, cart_id)
    }


def test_a_large_merge_interrupted_midway_is_resumed_by_its_retry(
    dynamodb: Any, settings: Settings
) -> None:
    carts = repository(dynamodb, settings)
    cart_with_lines(carts, 5, "target")
    carts.create(Cart("source", "guest", "USD", T0, T0, T0 + LIFETIME), at(0))
    for index in range(3, 63):  # 60 lines, P003 and P004 in both carts
        carts.add_line("source", product(index), 1, at(index / 1000))
    target, source = carts.get("target", T0), carts.get("source", T0)
    injector = FaultInjector(dynamodb)
    # lock, first 49 lines, then the second batch of lines throttles for good
    injector.fail("TransactWriteItems", throttled, after=2)
    with pytest.raises(StorageUnavailable):
        carts.merge(target, source, merged_of(target, source, at(10)), at(10))
    injector.fail("TransactWriteItems", throttled, times=0)  # DynamoDB is back

    moved, left = all_lines(dynamodb, settings, "target"), all_lines(dynamodb, settings, "source")
    assert sum(moved.values()) + sum(left.values()) == 65  # every unit in exactly one cart
    assert len(left) == 11
    assert carts.get("source", T0).status == "MERGING"
    assert carts.get("target", T0).shown_status == "MERGING"
    for cart_id in ("target", "source"):  # neither takes another change meanwhile
        with pytest.raises(CartBeingMerged):
            carts.add_line(cart_id, BEANS, 1, at(11))

    assert carts.finish_merge("target", at(12))  # what a retry, or the sweeper, does
    merged = carts.get("target", T0)
    quantities = {line.product_id: line.quantity for line in merged.lines}
    assert len(quantities) == 63 and sum(quantities.values()) == 65
    assert quantities["P003"] == 2
    assert merged.version == target.version + 1
    with pytest.raises(CartNotFound):
        carts.get("source", T0)
    assert all_lines(dynamodb, settings, "source") == {}


@pytest.mark.parametrize(("receipt", "transactions"), [(None, 1), (Receipt("k", "r"), 3)])
def test_a_merge_of_49_lines_is_one_transaction_unless_a_receipt_needs_room(
    dynamodb: Any, settings: Settings, receipt: Receipt | None, transactions: int
) -> None:
    carts = repository(dynamodb, settings)
    cart_with_lines(carts, 1, "target")
    carts.create(Cart("source", "customer-42", "USD", T0, T0, T0 + LIFETIME), at(0))
    for index in range(1, 50):
        carts.add_line("source", product(index), 1, at(index / 1000))
    target, source = carts.get("target", T0), carts.get("source", T0)
    injector = FaultInjector(dynamodb)
    change = at(10)._replace(receipt=receipt)
    merged = carts.merge(target, source, merged_of(target, source, change), change)
    assert len(merged.lines) == 50
    # 2 + 2 x 49 actions fill a transaction; a receipt makes it lock, move 49, finish.
    assert injector.calls["TransactWriteItems"] == transactions


def test_finishing_a_merge_that_is_no_longer_in_progress_does_nothing(
    dynamodb: Any, settings: Settings
) -> None:
    # The index of merges in progress is read eventually: it may still list a target whose
    # merge has finished since.
    carts = repository(dynamodb, settings)
    cart_with_lines(carts, 2, "target")
    before = carts.get("target", T0)
    assert carts.finish_merge("target", at(1)) is False
    assert carts.get("target", T0) == before
