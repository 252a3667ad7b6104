"""Receipts on DynamoDB: the Idempotency table.

A receipt is put by the transaction of the change it guards (`receipt_put`, the last action
of that transaction), under the condition that its key is new or its 24 hours are over;
with its reply, when the change knew its cart before writing, else the reply is added
afterwards (`keep_reply`), when the cart has been read back.

The reply is kept as UTF-8 JSON (never as \\uXXXX escapes, which take up to six times the
bytes of the text), compressed when that is smaller: a binary `reply` holds it deflated, a
string one as it is. With the cart's size budget (domain/size.py) the largest reply fits an
item with room to spare; should keeping it fail all the same, the change stands and a retry
answers from the cart as it is then.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from chalicelib.domain.errors import StorageUnavailable
from chalicelib.domain.receipts import Receipt, StoredReceipt
from chalicelib.dynamodb.calls import storage_errors
from chalicelib.dynamodb.rows import Row, epoch
from chalicelib.service.ports import ReceiptStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

log = logging.getLogger(__name__)

KEPT_FOR = timedelta(hours=24)


def receipt_put(table: str, receipt: Receipt, cart_id: str, now: datetime) -> Row:
    """The transaction action that stores `receipt`: refused when the key was used (and its
    record not yet expired), which cancels the whole transaction."""
    return {
        "Put": {
            "TableName": table,
            "Item": {
                "id": {"S": receipt.key},
                "request": {"S": receipt.request},
                "cartId": {"S": cart_id},
                "expiration": epoch(now + KEPT_FOR),
                **({"reply": reply_value(receipt.reply)} if receipt.reply is not None else {}),
            },
            "ConditionExpression": "attribute_not_exists(id) OR expiration <= :nowEpoch",
            "ExpressionAttributeValues": {":nowEpoch": epoch(now)},
        }
    }


class DynamoReceiptStore(ReceiptStore):
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def get(self, key: str, now: datetime) -> StoredReceipt | None:
        with storage_errors():
            item = self._client.get_item(
                TableName=self._table, Key={"id": {"S": key}}, ConsistentRead=True
            ).get("Item")
        if item is None or int(item["expiration"]["N"]) <= int(now.timestamp()):
            return None  # never used, or over 24 hours ago (TTL deletes it later)
        receipt = Receipt(key, item["request"]["S"])
        reply = reply_from(item["reply"]) if "reply" in item else None
        return StoredReceipt(receipt, item["cartId"]["S"], reply)

    def keep_reply(self, receipt: Receipt, reply: dict[str, Any]) -> None:
        """Add the answer to the receipt, once, and only to this request's. Failing is
        harmless: a retry then answers from the cart as stored."""
        try:
            with storage_errors():
                self._client.update_item(
                    TableName=self._table,
                    Key={"id": {"S": receipt.key}},
                    UpdateExpression="SET reply = :reply",
                    ConditionExpression="#request = :request AND attribute_not_exists(reply)",
                    ExpressionAttributeNames={"#request": "request"},  # a reserved word
                    ExpressionAttributeValues={
                        ":reply": reply_value(reply),
                        ":request": {"S": receipt.request},
                    },
                )
        except self._client.exceptions.ConditionalCheckFailedException:
            log.info("the reply to this Idempotency-Key was kept already")
        except StorageUnavailable:
            log.warning("the reply to an Idempotency-Key was not kept; a retry rebuilds it")
        except ClientError as refused:  # the change committed: it is answered all the same
            log.error(
                "the reply to an Idempotency-Key was refused; a retry rebuilds it: %s", refused
            )


def reply_value(reply: dict[str, Any]) -> Row:
    """A reply as stored: UTF-8 JSON, deflated when that is smaller."""
    text = json.dumps(reply, ensure_ascii=False, separators=(",", ":")).encode()
    packed = zlib.compress(text)
    return {"B": packed} if len(packed) < len(text) else {"S": text.decode()}


def reply_from(value: Mapping[str, Any]) -> dict[str, Any]:
    if "B" in value:
        return dict(json.loads(zlib.decompress(value["B"])))
    return dict(json.loads(value["S"]))
