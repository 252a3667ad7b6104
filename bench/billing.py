"""DynamoDB's bill for the calls a client makes, computed as DynamoDB computes it (moto's
ConsumedCapacity is wrong, so nothing here asks for it).

- A write: 1 write request unit per KB of the larger of the item's images, before and after
  (a failed condition bills the item as it is); in a transaction, twice that. A
  ConditionCheck bills as a transactional write of the item checked.
- A global secondary index: a write that puts, changes or removes the item's entry in it
  bills 1 unit per KB of that entry, once more (twice when its key changes: a delete and a
  put); the entry holds the keys and what the index projects. Not doubled in a transaction.
- A read: 1 read request unit per 4 KB of the item (GetItem, BatchGetItem: each item, a
  missing one as one), or of all the items a Query or Scan returns together; an eventually
  consistent read (every index's) half that.

The images are read with a client of the bill's own, before each write is sent and after it
answers, so the bill needs the calls made one at a time (a bench's, not a load test's).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

Item = dict[str, Any]

WRITE_UNIT = 1024
READ_UNIT = 4096


def value_bytes(value: dict[str, Any]) -> int:
    """A value's size as DynamoDB counts it."""
    kind, content = next(iter(value.items()))
    if kind == "S":
        return len(content.encode())
    if kind == "B":
        return len(content)
    if kind == "N":
        return (len(content.lstrip("-").replace(".", "").lstrip("0") or "0") + 1) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_bytes(v) + 1 for k, v in content.items())
    if kind == "L":
        return 3 + sum(value_bytes(v) + 1 for v in content)
    if kind == "SS":
        return sum(len(s.encode()) for s in content)
    if kind == "NS":
        return sum(value_bytes({"N": n}) for n in content)
    return sum(len(b) for b in content)  # BS


def item_bytes(item: Item | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + value_bytes(value) for name, value in item.items())


def units(size: int, unit: int) -> int:
    return max(1, math.ceil(size / unit))


class Index:
    def __init__(self, table_keys: list[str], description: dict[str, Any]) -> None:
        self.keys = [key["AttributeName"] for key in description["KeySchema"]]
        projection = description["Projection"]
        self.projects_all = projection["ProjectionType"] == "ALL"
        self.attributes = {*table_keys, *self.keys, *projection.get("NonKeyAttributes", [])}

    def entry(self, item: Item | None) -> Item | None:
        if item is None or not all(key in item for key in self.keys):
            return None
        return (
            dict(item) if self.projects_all else {k: item[k] for k in self.attributes if k in item}
        )

    def write_units(self, before: Item | None, after: Item | None) -> int:
        old, new = self.entry(before), self.entry(after)
        if old == new:
            return 0
        if old is None or new is None:
            return units(item_bytes(old or new), WRITE_UNIT)
        if any(old[key] != new[key] for key in self.keys):  # moved: a delete and a put
            return units(item_bytes(old), WRITE_UNIT) + units(item_bytes(new), WRITE_UNIT)
        return units(max(item_bytes(old), item_bytes(new)), WRITE_UNIT)


class Table:
    def __init__(self, description: dict[str, Any]) -> None:
        self.keys = [key["AttributeName"] for key in description["KeySchema"]]
        self.indexes = [
            Index(self.keys, index) for index in description.get("GlobalSecondaryIndexes", [])
        ]

    def key(self, item: Item) -> Item:
        return {name: item[name] for name in self.keys}


class Bill:
    """Attached to a client, adds up what its calls cost while `billing`, per table."""

    def __init__(self, client: Any, images: Any) -> None:
        self._client = client
        self._images = images  # a client of the bill's own: its reads are not billed
        self._tables: dict[str, Table] = {}
        self.write_units: defaultdict[str, float] = defaultdict(float)
        self.read_units: defaultdict[str, float] = defaultdict(float)
        self._on = False
        client.meta.events.register("before-parameter-build.dynamodb", self._before)
        client.meta.events.register("after-call.dynamodb", self._after)

    def detach(self) -> None:
        self._client.meta.events.unregister("before-parameter-build.dynamodb", self._before)
        self._client.meta.events.unregister("after-call.dynamodb", self._after)

    @contextmanager
    def billing(self) -> Iterator[Bill]:
        self.write_units.clear()
        self.read_units.clear()
        self._on = True
        try:
            yield self
        finally:
            self._on = False

    @property
    def wru(self) -> float:
        return sum(self.write_units.values())

    @property
    def rru(self) -> float:
        return sum(self.read_units.values())

    def _table(self, name: str) -> Table:
        if name not in self._tables:
            self._tables[name] = Table(self._images.describe_table(TableName=name)["Table"])
        return self._tables[name]

    def _written(self, operation: str, params: dict[str, Any]) -> list[tuple[str, Item, int]]:
        """Each item the call writes: its table, its key, and the factor its units bill at."""
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            name = params["TableName"]
            key = params.get("Key") or self._table(name).key(params["Item"])
            return [(name, key, 1)]
        if operation == "TransactWriteItems":
            written = []
            for action in params["TransactItems"]:
                ((_, body),) = action.items()
                name = body["TableName"]
                written.append((name, body.get("Key") or self._table(name).key(body["Item"]), 2))
            return written
        if operation == "BatchWriteItem":
            return [
                (
                    name,
                    self._table(name).key(r["PutRequest"]["Item"])
                    if "PutRequest" in r
                    else r["DeleteRequest"]["Key"],
                    1,
                )
                for name, requests in params["RequestItems"].items()
                for r in requests
            ]
        return []

    def _image(self, table: str, key: Item) -> Item | None:
        found = self._images.get_item(TableName=table, Key=key, ConsistentRead=True)
        return found.get("Item")  # type: ignore[no-any-return]

    def _before(
        self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        if not self._on:
            return
        written = self._written(model.name, params)
        context["billed"] = (dict(params), [(*w, self._image(w[0], w[1])) for w in written])

    def _after(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        if not self._on or "billed" not in context:
            return
        params, written = context.pop("billed")
        for table, key, factor, before in written:
            after = self._image(table, key)
            size = max(item_bytes(before), item_bytes(after))
            self.write_units[table] += factor * units(size, WRITE_UNIT)
            for index in self._table(table).indexes:
                self.write_units[f"{table}/index"] += index.write_units(before, after)
        self._read(model.name, params, parsed)

    def _read(self, operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        if operation == "GetItem":
            size = item_bytes(parsed.get("Item"))
            self.read_units[params["TableName"]] += _consistency(params) * units(size, READ_UNIT)
        elif operation in ("Query", "Scan"):
            size = sum(item_bytes(item) for item in parsed.get("Items", []))
            table = params["TableName"] + ("/index" if "IndexName" in params else "")
            self.read_units[table] += _consistency(params) * units(size, READ_UNIT)
        elif operation == "BatchGetItem":
            for table, request in params["RequestItems"].items():
                found = parsed.get("Responses", {}).get(table, [])
                missing = len(request["Keys"]) - len(found)
                billed = sum(units(item_bytes(item), READ_UNIT) for item in found) + missing
                self.read_units[table] += _consistency(request) * billed


def _consistency(params: dict[str, Any]) -> float:
    return 1.0 if params.get("ConsistentRead") and "IndexName" not in params else 0.5
