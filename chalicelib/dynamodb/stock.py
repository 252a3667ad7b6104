"""The units each product has to sell, in the Stock table: one item per shard of a product,
keyed (productId, shard). Shard 0 also says how many shards the product has, so a read of
every product's shard 0 (alongside its Products row) finds the product's other shards, read
next only for products with more than one. The shop's adjustments of them are
DynamoStockLedger's.

HoldCounts holder (pk) | units (N): the units a client address or a shopper holds now, moved
in the transactions of the changes that hold or release them (domain/holds.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from chalicelib.domain.change import Change
from chalicelib.domain.errors import HoldCapReached, StockMoved
from chalicelib.domain.holds import HoldChanges, HolderCount
from chalicelib.domain.stock import StockTake, check_fits
from chalicelib.dynamodb.calls import (
    BATCH_GET_LIMIT,
    BATCH_WRITE_LIMIT,
    ItemRefusal,
    batch_get,
    batch_write,
    chunks,
)
from chalicelib.dynamodb.rows import Row
from chalicelib.dynamodb.transactions import CartTransactions
from chalicelib.parallel import in_parallel
from chalicelib.service.ports import StockLedger

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

Levels = dict[str, tuple[int, ...]]
"""Each product's units to sell, per shard."""


def stock_key(product_id: str, shard: int) -> Row:
    return {"productId": {"S": product_id}, "shard": {"N": str(shard)}}


def stock_rows(product_id: str, levels: tuple[int, ...]) -> list[Row]:
    """A product's shards as items: each its units; shard 0 the number of shards too."""
    return [
        {
            **stock_key(product_id, shard),
            "available": {"N": str(units)},
            **({"shards": {"N": str(len(levels))}} if shard == 0 else {}),
        }
        for shard, units in enumerate(levels)
    ]


def stock_take(table: str, take: StockTake) -> Row:
    """A transaction's action taking `take.units` from its shard, never below zero.

    Mirrors `stock.has_units`."""
    return {
        "Update": {
            "TableName": table,
            "Key": stock_key(take.product_id, take.shard),
            "UpdateExpression": "ADD available :minus",
            "ConditionExpression": "available >= :units",
            "ExpressionAttributeValues": {
                ":minus": {"N": str(-take.units)},
                ":units": {"N": str(take.units)},
            },
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }


def count_update(table: str, count: HolderCount) -> Row:
    """A holder's count moved by `count.units`; with a cap, only while it stays within it.

    Mirrors `holds.rehold`'s Holder.cap: past it, the change holds no more units."""
    update: Row = {
        "TableName": table,
        "Key": {"holder": {"S": count.holder}},
        "UpdateExpression": "ADD units :units",
        "ExpressionAttributeValues": {":units": {"N": str(count.units)}},
    }
    if count.cap is not None:
        room = count.cap - count.units
        within = "units <= :room" if room < 0 else "attribute_not_exists(units) OR units <= :room"
        update["ConditionExpression"] = within
        update["ExpressionAttributeValues"][":room"] = {"N": str(room)}
    return {"Update": update}


def hold_capped(holder: str) -> ItemRefusal:
    """A capped count's failed condition: the holder holds as many units as it may."""

    def refusal(counter: Row | None) -> None:
        raise HoldCapReached(holder)

    return refusal


def held_stock(
    stock_table: str,
    counts_table: str,
    cart_id: str,
    holding: HoldChanges | None,
    actions: list[Row],
    receipt: bool,
) -> dict[int, ItemRefusal]:
    """Add to a change's `actions` the holders' counts and the units it takes (or gives
    back) that `holding` says, if they fit beside the rest and the receipt (else
    CheckoutTooLarge); the refusals of their conditions, by index."""
    refusals: dict[int, ItemRefusal] = {}
    if holding is None:
        return refusals
    for count in holding.counts:
        if count.cap is not None:
            refusals[len(actions)] = hold_capped(count.holder)
        actions.append(count_update(counts_table, count))
    check_fits(cart_id, holding.takes, len(actions) + receipt)
    for take in holding.takes:
        refusals[len(actions)] = stock_moved(cart_id)
        actions.append(stock_take(stock_table, take))
    return refusals


def stock_moved(subject: str) -> ItemRefusal:
    """A take's failed condition: its shard holds fewer units than were read there (another
    checkout took them), so the levels are read again (StockMoved)."""

    def refusal(shard: Row | None) -> None:
        raise StockMoved(subject)

    return refusal


class StockLevels:
    """Reads of the Stock table, in parallel chunks of BatchGetItem."""

    def __init__(self, client: DynamoDBClient, stock_table: str) -> None:
        self._client = client
        self.table = stock_table
        """The Stock table's name: a reader of the products asks for their shard 0 in the
        same request (DynamoProductRepository)."""

    def levels(self, read: list[Row]) -> Levels:
        """Every product's levels, given its shard 0 (and maybe others) as read: the other
        shards of a product with more than one that were not read are read now (a shard
        not found holds nothing)."""
        found = {
            (row["productId"]["S"], int(row["shard"]["N"])): int(row["available"]["N"])
            for row in read
        }
        counts = {
            row["productId"]["S"]: int(row.get("shards", {"N": "1"})["N"])
            for row in read
            if row["shard"]["N"] == "0"
        }
        more = [
            stock_key(pid, shard)
            for pid, count in counts.items()
            for shard in range(1, count)
            if (pid, shard) not in found
        ]
        for row in self._read(more):
            found[(row["productId"]["S"], int(row["shard"]["N"]))] = int(row["available"]["N"])
        return {
            pid: tuple(found.get((pid, shard), 0) for shard in range(count))
            for pid, count in counts.items()
        }

    def set(self, levels: Mapping[str, tuple[int, ...]]) -> None:
        """Each product's levels, as given: every shard written, whatever it held (a
        stocktake's counts)."""
        items = [row for pid, shards in levels.items() for row in stock_rows(pid, shards)]
        requests = [{"PutRequest": {"Item": item}} for item in items]
        for batch in chunks(requests, BATCH_WRITE_LIMIT):
            batch_write(self._client, self.table, batch)

    def set_new(self, levels: Mapping[str, tuple[int, ...]]) -> None:
        """The levels of the products whose stock is not counted yet; the others keep
        theirs, so that a catalog loaded again never puts back units sold since."""
        first_shards = self._read([stock_key(pid, 0) for pid in sorted(levels)])
        counted = {row["productId"]["S"] for row in first_shards}
        self.set({pid: shards for pid, shards in levels.items() if pid not in counted})

    def _read(self, keys: list[Row]) -> list[Row]:
        """The items of `keys`, in BatchGetItem chunks run in parallel."""
        reads: list[Callable[[], list[Row]]] = [
            functools.partial(batch_get, self._client, self.table, chunk)
            for chunk in chunks(keys, BATCH_GET_LIMIT)
        ]
        return [row for rows in in_parallel(reads) for row in rows]


class DynamoStockLedger(StockLedger):
    """The shop's adjustments: their moves and their receipt in one transaction."""

    def __init__(self, client: DynamoDBClient, stock_table: str, receipts_table: str) -> None:
        self._table = stock_table
        self._transactions = CartTransactions(client, receipts_table)

    def adjust(self, product_id: str, moves: Sequence[StockTake], change: Change) -> None:
        actions = [stock_take(self._table, move) for move in moves]
        refusals = dict.fromkeys(range(len(actions)), stock_moved(product_id))
        self._transactions.run(product_id, actions, change=change, item_refusals=refusals)
