"""One cart change as one TransactWriteItems, with its keyed request's receipt committed in
the same transaction: what every writer of the cart repository (carts.py, decided.py,
merge.py, deletion.py) runs its changes through. Each writer holds this object; none calls
back into the repository.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.domain.change import Change
from chalicelib.domain.clock import utc_now
from chalicelib.domain.receipts import Receipt
from chalicelib.dynamodb.calls import ItemRefusal, Refusal, transact
from chalicelib.dynamodb.receipts import DynamoReceiptStore, receipt_put
from chalicelib.dynamodb.rows import Row

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class CartTransactions:
    def __init__(
        self, client: DynamoDBClient, receipts_table: str, conflict_attempts: int = 4
    ) -> None:
        self._client = client
        self._receipts_table = receipts_table
        self._receipts = DynamoReceiptStore(client, receipts_table)
        self._conflict_attempts = conflict_attempts

    def run(
        self,
        cart_id: str,
        actions: list[Row],
        refusal: Refusal | None = None,
        change: Change | None = None,
        item_refusals: dict[int, ItemRefusal] | None = None,
    ) -> None:
        """The change's `actions`, and its receipt if it is keyed, as one transaction (see
        calls.transact for what a failed condition raises)."""
        receipt = None
        if change is not None and change.receipt is not None:
            receipt = receipt_put(self._receipts_table, change.receipt, cart_id, change.now)
        transact(
            self._client,
            cart_id,
            actions,
            refusal,
            self._conflict_attempts,
            receipt,
            item_refusals,
        )

    def receipt_taken(self, receipt: Receipt) -> bool:
        """Whether a keyed change has committed already (its receipt is stored)."""
        return self._receipts.get(receipt.key, utc_now()) is not None
