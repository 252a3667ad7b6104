"""The conditions and updates every cart change is made of.

Every change to a cart updates its row with `cart_update`: the row's rules as the condition,
`updatedAt`, `expiresAt`, version + 1 and the change's event kind as the update. The row
keeps `lineQuantities`, so the condition can hold the 999-per-product and 100-line limits
without a read first.

Each condition that enforces a cart rule is built here and says which domain rule it
mirrors ("Mirrors `cart.Cart.check`", named from `chalicelib.domain`); a unit test resolves
every name, and the differential test shows each condition refuses what the rule refuses.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from chalicelib.domain.cart import ACTIVE, MAX_LINES, Cart
from chalicelib.domain.change import Change
from chalicelib.domain.clock import format_precise, format_timestamp
from chalicelib.domain.lines import CartLine
from chalicelib.domain.products import Product
from chalicelib.dynamodb.rows import Row, attributes_map, cart_key, epoch, line_key

LINE_EXPIRY_GRACE = timedelta(days=7)
"""Lines expire this long after their cart, so a line never expires while its cart lives."""


class Condition(dict[str, Any]):
    """A ConditionExpression with its attribute names and values, as keyword arguments."""

    def __init__(self, expression: str, names: dict[str, str], values: dict[str, Any]) -> None:
        super().__init__(
            ConditionExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def and_(self, other: Condition) -> Condition:
        return Condition(
            f"{self['ConditionExpression']} AND ({other['ConditionExpression']})",
            {**self["ExpressionAttributeNames"], **other["ExpressionAttributeNames"]},
            {**self["ExpressionAttributeValues"], **other["ExpressionAttributeValues"]},
        )

    def with_values(self, values: dict[str, Any]) -> Condition:
        """The same condition, with values that the update beside it uses."""
        return Condition(
            self["ConditionExpression"],
            self["ExpressionAttributeNames"],
            {**self["ExpressionAttributeValues"], **values},
        )


def changeable(change: Change) -> Condition:
    """What every change requires of the cart row: it exists, is not expired, is active and
    not receiving another cart's lines, belongs to the shopper making the change (if a
    shopper makes it), and is at the version the client named (If-Match), if it named one.

    Mirrors `cart.Cart.check`."""
    condition = Condition(
        "attribute_exists(cartId) AND expiresAt > :nowEpoch AND #status = :active"
        " AND attribute_not_exists(mergeFrom)",
        {"#status": "status"},
        {":nowEpoch": epoch(change.now), ":active": {"S": ACTIVE}},
    )
    if change.owner is not None:
        condition = condition.and_(
            Condition("customerId = :owner", {}, {":owner": {"S": change.owner}})
        )
    if change.expected_version is None:
        return condition
    return condition.and_(
        Condition(
            "version = :expectedVersion", {}, {":expectedVersion": _number(change.expected_version)}
        )
    )


def room_for(product: Product, quantity: int) -> Condition:
    """`quantity` more units of `product` fit the cart row: the cart's currency, at most the
    product's limit on its line, and room for one more line if it has none.

    Mirrors `cart.Cart.add` (CurrencyMismatch, LineLimitExceeded) and
    `products.Product.check_quantity` (QuantityLimitExceeded)."""
    return Condition(
        "currency = :currency AND ("
        "(attribute_exists(lineQuantities.#pid) AND lineQuantities.#pid <= :room)"
        " OR (attribute_not_exists(lineQuantities.#pid) AND size(lineQuantities) < :maxLines))",
        {"#pid": product.product_id},
        {
            ":currency": {"S": product.currency},
            ":room": _number(product.limit - quantity),
            ":maxLines": _number(MAX_LINES),
        },
    )


def has_line(product_id: str) -> Condition:
    """The cart row has a line of `product_id`.

    Mirrors `cart.Cart.set_quantity` (ItemNotFound)."""
    return Condition("attribute_exists(lineQuantities.#pid)", {"#pid": product_id}, {})


def pinned(cart: Cart, change: Change) -> Condition:
    """The cart row as it was read, and still changeable: what a change decided on a read
    (a merge, a checkout) requires. The domain decided on that read, so every rule it checked
    holds while the version does.

    Mirrors `cart.Cart.check`."""
    return changeable(change).and_(
        Condition("version = :readVersion", {}, {":readVersion": _number(cart.version)})
    )


def source_pinned(source: Cart, change: Change) -> Condition:
    """The source of a merge as it was read: pinned, whatever the client's If-Match (which
    names the target's version).

    Mirrors `cart.Cart.check`."""
    return pinned(source, Change(change.now, change.expires_at))


def cart_update(
    table: str,
    cart_id: str,
    change: Change,
    condition: Condition,
    event: str,
    product_id: str | None = None,
    set_: str = "",
    remove: str = "",
    names: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Row:
    """The arguments of an update of the cart row: `set_` and `remove` (with their `names`
    and `values`) plus what every change does to it (updatedAt, expiresAt, version + 1, and
    the kind of `event` it is, with the line's `product_id` for an item's, and the request
    that made it: what the stream consumer publishes), under `condition`."""
    expression = "SET updatedAt = :updatedAt, expiresAt = :expiresAt, lastEvent = :event"
    expression += ", lastProductId = :eventProduct" if product_id is not None else ""
    expression += ", lastRequestId = :requestId" if change.request_id is not None else ""
    expression += f", {set_}" if set_ else ""
    removes = [remove] if remove else []
    removes += ["lastRequestId"] if change.request_id is None else []  # not an older one's
    expression += f" REMOVE {', '.join(removes)}" if removes else ""
    expression += " ADD version :one"
    all_names = {**(names or {}), **condition["ExpressionAttributeNames"]}
    update: Row = {
        "TableName": table,
        "Key": cart_key(cart_id),
        "UpdateExpression": expression,
        "ConditionExpression": condition["ConditionExpression"],
        "ExpressionAttributeValues": {
            **(values or {}),
            **condition["ExpressionAttributeValues"],
            ":updatedAt": {"S": format_timestamp(change.now)},
            ":expiresAt": epoch(change.expires_at),
            ":one": _number(1),
            ":event": {"S": event},
            **({":eventProduct": {"S": product_id}} if product_id is not None else {}),
            **({":requestId": {"S": change.request_id}} if change.request_id is not None else {}),
        },
    }
    if all_names:
        update["ExpressionAttributeNames"] = all_names
    return update


def line_expiry(change: Change) -> Row:
    return epoch(change.expires_at + LINE_EXPIRY_GRACE)


def added_line(
    table: str,
    cart_id: str,
    line: CartLine,
    change: Change,
    total: int | None,
    replace: bool = False,
    merged: bool = False,
) -> Row:
    """A line's update when units of it arrive (an add, a merged line): its quantity set to
    `total` when known, else added to whatever the line holds; its name refreshed; the time
    it was first added kept; its attributes replaced by the line's when `replace` (an add
    that names them), else kept, or the line's when it is new (a merged line); the price it
    was added at set, or for a `merged` line kept when the target has one."""
    quantity = (
        "quantity = :quantity"
        if total is not None
        else "quantity = if_not_exists(quantity, :zero) + :quantity"
    )
    attributes = ":attributes" if replace else "if_not_exists(attributes, :attributes)"
    values: dict[str, Any] = {
        ":quantity": _number(total if total is not None else line.quantity),
        ":name": {"S": line.name},
        ":addedAt": {"S": format_precise(line.added_at)},
        ":expiresAt": line_expiry(change),
        ":attributes": attributes_map(line.attributes),
    }
    if total is None:
        values[":zero"] = _number(0)
    price = ""
    if line.price_when_added is not None:
        values[":price"] = {"N": str(line.price_when_added)}
        kept = "if_not_exists(priceWhenAdded, :price)" if merged else ":price"
        price = f", priceWhenAdded = {kept}"
    return {
        "Update": {
            "TableName": table,
            "Key": line_key(cart_id, line.product_id),
            "UpdateExpression": f"SET {quantity}, #name = :name,"
            " addedAt = if_not_exists(addedAt, :addedAt), expiresAt = :expiresAt,"
            f" attributes = {attributes}{price}",
            "ExpressionAttributeNames": {"#name": "name"},
            "ExpressionAttributeValues": values,
        }
    }


def set_line(
    table: str,
    cart_id: str,
    product_id: str,
    quantity: int,
    change: Change,
    attributes: dict[str, str] | None,
    price: Decimal | None = None,
) -> Row:
    """A line's update when its quantity is set (and its attributes and the price it is set
    at, when given)."""
    values = {":quantity": _number(quantity), ":expiresAt": line_expiry(change)}
    update = "SET quantity = :quantity, expiresAt = :expiresAt"
    if attributes is not None:
        update += ", attributes = :attributes"
        values[":attributes"] = attributes_map(attributes)
    if price is not None:
        update += ", priceWhenAdded = :price"
        values[":price"] = {"N": str(price)}
    return {
        "Update": {
            "TableName": table,
            "Key": line_key(cart_id, product_id),
            "UpdateExpression": update,
            "ExpressionAttributeValues": values,
        }
    }


def deleted_line(table: str, cart_id: str, product_id: str) -> Row:
    return {"Delete": {"TableName": table, "Key": line_key(cart_id, product_id)}}


def _number(value: int) -> Row:
    return {"N": str(value)}


def refusing(update: Row) -> Row:
    """A transaction's update of the cart row that returns the row as it was when its
    condition fails, for the domain to name the rule."""
    return {"Update": {**update, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}


def written_by(row: Row, change: Change) -> bool:
    """Whether `row` is as `change` wrote it (its own write, retried after a lost answer)."""
    return bool(change.change_id) and row.get("lastChange", {}).get("S") == change.change_id
