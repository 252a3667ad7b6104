"""The catalog's products in the Products table."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable
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
from chalicelib.parallel import in_parallel
from chalicelib.service.ports import ProductRepository

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoProductRepository(ProductRepository):
    def __init__(self, client: DynamoDBClient, products_table: str) -> None:
        self._client = client
        self._table = products_table

    def get_many(self, product_ids: Collection[str]) -> dict[str, Product]:
        """BatchGetItem in chunks of 100, run in parallel, unprocessed keys retried."""
        keys = [{"productId": {"S": pid}} for pid in sorted(set(product_ids))]
        calls: list[Callable[[], list[Row]]] = [
            functools.partial(batch_get, self._client, self._table, chunk)
            for chunk in chunks(keys, BATCH_GET_LIMIT)
        ]
        return {
            row["productId"]["S"]: product_from(row) for rows in in_parallel(calls) for row in rows
        }

    def put_many(self, products: Iterable[Product]) -> None:
        requests = [{"PutRequest": {"Item": product_row(product)}} for product in products]
        for batch in chunks(requests, BATCH_WRITE_LIMIT):
            batch_write(self._client, self._table, batch)
