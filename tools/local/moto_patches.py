"""What the local DynamoDB server (moto, in this process) needs to behave as DynamoDB does
for hours of `make run` or `make load`, not only for a test's few requests.

moto backs up each table a transaction touches with a deep copy, to restore it when a
condition fails; it answers a Query by sorting the whole table; a table with a stream holds
every record it ever wrote. Each transaction and each read grew slower, and the server
fatter, with every request (measured with `make load`: see
docs/operations.md). Here:

- a transaction's backup of a table, taken once (moto takes one per action), copies its
  index of items and deep-copies only the items of the partitions the transaction writes
  (it cannot change the others), shares the stream's records (never changed once
  written) in a list of its own, and shares the table's definition (its keys, indexes and
  settings, which no write changes);
- a Query of a table's own key reads that partition, where moto sorts every item of the
  table to pick it out;
- the relay lets the server forget the stream records it has delivered, and the shard
  iterators no longer in use (`forget_delivered_records`), under the lock that the server
  holds while it answers (`SERVER_LOCK`): moto's state changes on one thread at a time;
- a transaction that fails puts back the copies it took of its tables, and with each a
  copy of the table's stream shard; every shard iterator handed out before still read the
  shard it was made on, which no record reached again: the relay's events stopped at the
  first refused transaction. The table keeps its live shard, which takes back the records
  of the copy (`_keep_live_shards`).
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import StreamShard, Table

SERVER_LOCK = threading.Lock()
"""Held while the local server answers a request, and while its records are forgotten."""

_written: dict[str, set[DynamoType]] | None = None
"""The partitions (by table) the transaction being run writes; None outside one."""

_backups: dict[str, Table] = {}
"""The backups taken for the transaction being run, by table: moto takes one for each of the
transaction's actions on a table (49 of a merge's 49 lines), all before the first write."""


def apply() -> None:
    """Patch moto's classes (once per process; the server serves one request at a time)."""
    apply_transaction_backups()
    if not hasattr(Table, "query_unpatched"):
        Table.query_unpatched = Table.query
        Table.query = _query


def apply_transaction_backups() -> None:
    """Only the transactions' backups: what moto in process (the integration tests) can take
    too, where a request's reads run in parallel (the Query patch swaps a table's items
    while it answers, which two Queries at once would see) but its transactions never do."""
    StreamShard.__deepcopy__ = _shallow_records
    Table.__deepcopy__ = _table_backup
    if not hasattr(DynamoDBBackend, "transact_write_items_unpatched"):
        original = DynamoDBBackend.transact_write_items
        DynamoDBBackend.transact_write_items_unpatched = original
        DynamoDBBackend.transact_write_items = _transact_write_items


def _transact_write_items(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    global _written
    _written = {}
    _backups.clear()
    for action in transact_items:
        operation = next(iter(action.values()))
        table = backend.tables.get(operation.get("TableName", ""))
        key = operation.get("Key") or operation.get("Item") or {}
        if table is not None and table.hash_key_attr in key:
            _written.setdefault(table.name, set()).add(DynamoType(key[table.hash_key_attr]))
    shards = {name: table.stream_shard for name, table in backend.tables.items()}
    try:
        backend.transact_write_items_unpatched(transact_items)
    finally:
        _written = None
        _backups.clear()
        _keep_live_shards(backend, shards)


def _keep_live_shards(backend: DynamoDBBackend, shards: dict[str, StreamShard | None]) -> None:
    """Give each table put back by a failed transaction its live stream shard again, with
    the records of the copy (those the transaction wrote are gone with it)."""
    for name, live in shards.items():
        table = backend.tables.get(name)
        if live is None or table is None or table.stream_shard is live:
            continue
        restored = table.stream_shard
        if restored is not None:
            live.items = restored.items
            live.starting_sequence_number = restored.starting_sequence_number
        live.table = table
        table.stream_shard = live


def _query(table: Table, hash_key: DynamoType | None, *args: Any, **kwargs: Any) -> Any:
    """A Query: of the table's own key, moto's, on that partition's items alone."""
    if kwargs.get("index_name") is not None or (len(args) > 6 and args[6] is not None):
        return table.query_unpatched(hash_key, *args, **kwargs)
    partition = table.items.get(hash_key) if hash_key is not None else None
    if partition is None:
        items: list[Any] = []
    elif table.range_key_attr:
        items = sorted(partition.values(), key=lambda item: item.range_key)
    else:
        items = [partition]
    table.all_items = lambda: items
    try:
        return table.query_unpatched(hash_key, *args, **kwargs)
    finally:
        del table.all_items


def _table_backup(table: Table, memo: dict[int, Any]) -> Table:
    """Within a transaction, the table's backup: an index of items of its own, sharing the
    items of partitions the transaction does not write, taken once per transaction.
    Otherwise a full deep copy."""
    if _written is not None and table.name in _backups:
        return _backups[table.name]
    copied = object.__new__(Table)
    memo[id(table)] = copied
    written = None if _written is None else _written.get(table.name, set())
    if written is not None:
        _backups[table.name] = copied
    for name, value in table.__dict__.items():
        if written is None or name == "stream_shard":
            copied.__dict__[name] = copy.deepcopy(value, memo)
        elif name == "items":
            items = copy.copy(value)  # the same defaultdict, the same item objects
            for hash_key in [key for key in written if key in value]:
                items[hash_key] = copy.deepcopy(value[hash_key], memo)
            copied.__dict__[name] = items
        else:  # the table's definition (keys, indexes, settings): no write changes it
            copied.__dict__[name] = value
    return copied


def _shallow_records(shard: StreamShard, memo: dict[int, Any]) -> StreamShard:
    """A stream shard's copy: the same records (never changed once written) in a list of
    its own (a failed transaction's records vanish with it)."""
    copied = object.__new__(StreamShard)
    memo[id(shard)] = copied
    copied.__dict__.update(shard.__dict__)
    copied.table = copy.deepcopy(shard.table, memo)
    copied.items = list(shard.items)
    return copied


def forget_delivered_records(
    table_name: str, delivered_through: dict[str, int], iterators_in_use: set[str]
) -> int:
    """Let this process's moto server drop the stream records of `table_name` up to the
    sequence numbers given (those the relay has handed on for good), and every shard
    iterator but those in use; how many records it dropped.

    DynamoDB keeps a stream's records for 24 hours and an iterator for 15 minutes; moto
    keeps both for ever, so a long `make run` (or `make load`) grew with every change and
    every poll. Dropping what was delivered is the local server's retention: the sequence
    numbers of the records left do not change."""
    with SERVER_LOCK:
        return _forget(table_name, delivered_through, iterators_in_use)


def _forget(table_name: str, delivered_through: dict[str, int], iterators_in_use: set[str]) -> int:
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    for streams in dynamodbstreams_backends[DEFAULT_ACCOUNT_ID].values():
        for arn in list(streams.shard_iterators):
            if arn not in iterators_in_use:
                del streams.shard_iterators[arn]

    dropped = 0
    for backend in dynamodb_backends[DEFAULT_ACCOUNT_ID].values():
        table = backend.tables.get(table_name)
        shard = getattr(table, "stream_shard", None)
        if shard is None or shard.id not in delivered_through:
            continue
        count = delivered_through[shard.id] + 1 - shard.starting_sequence_number
        count = max(0, min(count, len(shard.items)))
        del shard.items[:count]
        shard.starting_sequence_number += count
        dropped += count
    return dropped
