"""The catalog's products in the Products table, each with its stock from the Stock table
(dynamodb/stock.py), both read at once."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING

from chalicelib.domain.products import Product
from chalicelib.dynamodb.calls import (
    BATCH_GET_LIMIT,
    BATCH_WRITE_LIMIT,
    batch_get,
    batch_write,
    chunks,
)
from chalicelib.dynamodb.rows import Row, product_from, product_row
from chalicelib.dynamodb.stock import StockLevels
from chalicelib.parallel import in_parallel
from chalicelib.service.ports import ProductRepository

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoProductRepository(ProductRepository):
    def __init__(self, client: DynamoDBClient, products_table: str, stock_table: str) -> None:
        self._client = client
        self._table = products_table
        self._stock = StockLevels(client, stock_table)

    def get_many(self, product_ids: Collection[str]) -> dict[str, Product]:
        """BatchGetItem in chunks of 100 of the products and of their stock's shard 0, all
        in parallel (unprocessed keys retried); then the other shards of a product spread
        over more than one."""
        keys = [{"productId": {"S": pid}} for pid in sorted(set(product_ids))]
        calls: list[Callable[[], list[Row]]] = [
            functools.partial(batch_get, self._client, self._table, chunk)
            for chunk in chunks(keys, BATCH_GET_LIMIT)
        ]
        first_shards = self._stock.first_shards_soon(product_ids)
        answers = in_parallel([*calls, *first_shards])
        rows = [row for answer in answers[: len(calls)] for row in answer]
        levels = self._stock.levels([row for answer in answers[len(calls) :] for row in answer])
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
