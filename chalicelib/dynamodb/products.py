"""The catalog's products in the Products table, each with its stock from the Stock table
(dynamodb/stock.py), both read at once."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.dynamodb.calls import (
    BATCH_GET_LIMIT,
    BATCH_WRITE_LIMIT,
    batch_get_tables,
    batch_write,
    chunks,
)
from chalicelib.dynamodb.rows import Row
from chalicelib.dynamodb.stock import StockLevels, stock_key
from chalicelib.parallel import in_parallel
from chalicelib.service.ports import ProductRepository

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoProductRepository(ProductRepository):
    def __init__(self, client: DynamoDBClient, products_table: str, stock_table: str) -> None:
        self._client = client
        self._table = products_table
        self._stock = StockLevels(client, stock_table)

    def get_many(
        self, product_ids: Collection[str], shard_counts: Mapping[str, int] | None = None
    ) -> dict[str, Product]:
        """Each product with its stock's shards in the same BatchGetItem (shard 0, and as
        many more as `shard_counts` says it has), in requests of at most 100 keys run in
        parallel, unprocessed keys retried; then any other shards of a product spread over
        more than was said."""
        requests: list[dict[str, list[Row]]] = []
        for pid in sorted(set(product_ids)):
            shards = [stock_key(pid, n) for n in range((shard_counts or {}).get(pid, 1))]
            keys = len(shards) + 1
            if not requests or sum(map(len, requests[-1].values())) + keys > BATCH_GET_LIMIT:
                requests.append({self._table: [], self._stock.table: []})
            requests[-1][self._table].append({"productId": {"S": pid}})
            requests[-1][self._stock.table] += shards
        calls: list[Callable[[], dict[str, list[Row]]]] = [
            functools.partial(batch_get_tables, self._client, keys) for keys in requests
        ]
        answers = in_parallel(calls)
        rows = [row for answer in answers for row in answer[self._table]]
        levels = self._stock.levels(
            [row for answer in answers for row in answer[self._stock.table]]
        )
        return {
            row["productId"]["S"]: product_from(row, levels.get(row["productId"]["S"]))
            for row in rows
        }

    def put_many(self, products: Iterable[Product]) -> None:
        """The products; and the stock levels of those that have them, where their stock
        is not counted yet (see set_stock)."""
        products = list(products)
        requests = [{"PutRequest": {"Item": product_row(product)}} for product in products]
        for batch in chunks(requests, BATCH_WRITE_LIMIT):
            batch_write(self._client, self._table, batch)
        self._stock.set_new({p.product_id: p.stock_levels for p in products if p.stock_levels})

    def set_stock(self, levels: Mapping[str, tuple[int, ...]]) -> None:
        self._stock.set(levels)


def product_row(product: Product) -> Row:
    return {
        "productId": {"S": product.product_id},
        "name": {"S": product.name},
        "unitPrice": {"N": str(product.unit_price.amount)},
        "currency": {"S": product.currency},
        **(
            {"maxPerCart": {"N": str(product.max_per_cart)}}
            if product.max_per_cart is not None
            else {}
        ),
        **(
            {"taxCategory": {"S": product.tax_category}} if product.tax_category is not None else {}
        ),
        **(
            {"holdMinutes": {"N": str(product.hold_minutes)}}
            if product.hold_minutes is not None
            else {}
        ),
    }


def product_from(row: Row, stock_levels: tuple[int, ...] | None) -> Product:
    """The product of a Products row, with its stock as read from the Stock table."""
    # DynamoDB drops trailing zeros of numbers ("19.90" comes back as "19.9"); Money.format
    # restores the currency's digits.
    return Product(
        product_id=row["productId"]["S"],
        name=row["name"]["S"],
        unit_price=Money(Decimal(row["unitPrice"]["N"]), row["currency"]["S"]),
        stock_levels=stock_levels,
        max_per_cart=int(row["maxPerCart"]["N"]) if "maxPerCart" in row else None,
        tax_category=row.get("taxCategory", {}).get("S"),
        hold_minutes=float(row["holdMinutes"]["N"]) if "holdMinutes" in row else None,
    )
