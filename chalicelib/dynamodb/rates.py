"""The shop's delivery and tax rates in the Rates table: one item per table, each holding
its whole file (checked before it is put), so a reader sees one file or the next, never half.

Rates  rateTable (pk: "delivery" | "tax") | document (S: the file's JSON)
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from chalicelib.domain.pricing import Rates
from chalicelib.dynamodb.calls import batch_get, storage_errors
from chalicelib.service.datafiles.rates import DELIVERY, TAX, parse_delivery_rates, parse_tax_rates
from chalicelib.service.ports import RateRepository

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoRateRepository(RateRepository):
    def __init__(self, client: DynamoDBClient, rates_table: str) -> None:
        self._client = client
        self._table = rates_table

    def get(self) -> Rates:
        """Both files in one BatchGetItem."""
        keys = [{"rateTable": {"S": name}} for name in (DELIVERY, TAX)]
        files = {
            row["rateTable"]["S"]: json.loads(row["document"]["S"])
            for row in batch_get(self._client, self._table, keys)
        }
        rates = Rates()
        if DELIVERY in files:
            rates = rates._replace(delivery=parse_delivery_rates(files[DELIVERY]))
        if TAX in files:
            rates = rates._replace(tax=parse_tax_rates(files[TAX]))
        return rates

    def put(self, name: str, document: Any) -> None:
        item = {"rateTable": {"S": name}, "document": {"S": json.dumps(document)}}
        with storage_errors():
            self._client.put_item(TableName=self._table, Item=item)
