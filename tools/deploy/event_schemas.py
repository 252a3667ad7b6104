"""The JSON Schema of every cart event, as EventBridge delivers it to a subscriber.

    python -m tools.deploy.event_schemas      # rewrite events/*.schema.json

One schema per `detail-type`, each whole (no references between files), so that a
subscriber's tooling (EventBridge's schema registry, a code generator) can take one alone.
A test validates every event the tests publish against its schema, and fails when these
files are out of date.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.domain.events import (
    CART_ABANDONED,
    CART_CHECKED_OUT,
    CART_CREATED,
    CART_DELETED,
    CART_EXPIRED,
    CART_MERGED,
    CART_UPDATED,
    EVENT_KINDS,
    ITEM_ADDED,
    ITEM_QUANTITY_CHANGED,
    ITEM_REMOVED,
    ITEMS_CHANGED,
    SOURCE,
)
from tools.stage import PROJECT_DIR

SCHEMA_DIR = PROJECT_DIR / "events"

_QUANTITY = {"type": "integer", "minimum": 0, "maximum": 999}
_PRODUCT = {"type": "string", "minLength": 1}
_NOTHING: dict[str, Any] = {"type": "object", "additionalProperties": False}


def _line(description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": ["productId", "quantity", "previousQuantity"],
        "additionalProperties": False,
        "properties": {
            "productId": _PRODUCT,
            "quantity": {**_QUANTITY, "description": "The line's quantity after the change."},
            "previousQuantity": {**_QUANTITY, "description": "The line's quantity before."},
        },
    }


KINDS: dict[str, tuple[str, dict[str, Any]]] = {
    CART_CREATED: ("A cart was created (version 1, no lines).", _NOTHING),
    ITEM_ADDED: (
        "Units of a product were added: a new line (previousQuantity 0) or more of one.",
        _line("quantity - previousQuantity units were added."),
    ),
    ITEM_QUANTITY_CHANGED: (
        "A line's quantity was set.",
        _line("The quantity set, and the one it replaced."),
    ),
    ITEM_REMOVED: (
        "A line was removed (by DELETE or by setting its quantity to 0).",
        _line("quantity is 0."),
    ),
    ITEMS_CHANGED: (
        "A batch of line operations (PATCH /carts/{cartId}/items), one change: every line "
        "whose quantity it changed (a line whose attributes alone changed is not listed).",
        {
            "type": "object",
            "required": ["lines"],
            "additionalProperties": False,
            "properties": {
                "lines": {"type": "array", "maxItems": 50, "items": _line("One line's change.")}
            },
        },
    ),
    CART_UPDATED: (
        "The cart's note, attributes (PATCH) or discount codes changed: read the cart.",
        _NOTHING,
    ),
    CART_DELETED: ("The cart was deleted; `cart` is what it held.", _NOTHING),
    CART_MERGED: (
        "Another cart's lines were merged into this one, and that cart deleted (it has no "
        "event of its own).",
        {
            "type": "object",
            "required": ["sourceCartId"],
            "additionalProperties": False,
            "properties": {"sourceCartId": {"type": ["string", "null"]}},
        },
    ),
    CART_CHECKED_OUT: (
        "The cart was checked out; its prices are frozen. `stockTaken` has the units taken "
        "from the shop's stock, by product (only products whose stock the service counts; "
        "an empty object when none is).",
        {
            "type": "object",
            "required": ["stockTaken"],
            "additionalProperties": False,
            "properties": {
                "stockTaken": {
                    "type": "object",
                    "additionalProperties": {"type": "integer", "minimum": 1},
                }
            },
        },
    ),
    CART_EXPIRED: (
        "An active cart reached its expiry unchanged and DynamoDB's TTL removed it; "
        "`version` is its last, `occurredAt` its expiry.",
        _NOTHING,
    ),
    CART_ABANDONED: (
        "An active cart with lines was left unchanged for ABANDONED_AFTER_HOURS; once per "
        "idle period. `occurredAt` is when it became abandoned.",
        _NOTHING,
    ),
}


def schema(kind: str) -> dict[str, Any]:
    description, change = KINDS[kind]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://github.com/cart-service/events/{kind}.schema.json",
        "title": kind,
        "description": description,
        "type": "object",
        "required": ["source", "detail-type", "detail"],
        "properties": {
            "source": {"const": SOURCE},
            "detail-type": {"const": kind},
            "detail": {
                "type": "object",
                "required": [
                    "eventId",
                    "cartId",
                    "customerId",
                    "version",
                    "occurredAt",
                    "change",
                    "cart",
                ],
                "additionalProperties": False,
                "properties": {
                    "eventId": {
                        "type": "string",
                        "description": "cartId:version:kind, the same on every redelivery: "
                        "dedupe on it.",
                        "pattern": f"^.+:[0-9]+:{kind}$",
                    },
                    "cartId": {"type": "string", "minLength": 1},
                    "customerId": {
                        "type": ["string", "null"],
                        "description": "null for a guest's cart.",
                    },
                    "version": {
                        "type": "integer",
                        "minimum": 1,
                        "description": "The cart's version after the change (its ETag): "
                        "order a cart's events by it.",
                    },
                    "occurredAt": {"type": "string", "format": "date-time"},
                    "change": change,
                    "requestId": {
                        "type": "string",
                        "description": "The request that made the change (its X-Request-Id "
                        "response header and the requestId of its log lines); absent when "
                        "no request did (an expiry, an abandonment, a sweeper's change).",
                    },
                    "cart": {
                        "type": "object",
                        "required": ["itemCount", "lineCount", "currency"],
                        "additionalProperties": False,
                        "properties": {
                            "itemCount": {"type": "integer", "minimum": 0},
                            "lineCount": {"type": "integer", "minimum": 0, "maximum": 100},
                            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                        },
                    },
                },
            },
        },
    }


def schema_path(kind: str) -> Any:
    return SCHEMA_DIR / f"{kind}.schema.json"


def render(kind: str) -> str:
    return json.dumps(schema(kind), indent=2) + "\n"


def main() -> None:
    SCHEMA_DIR.mkdir(exist_ok=True)
    for kind in EVENT_KINDS:
        schema_path(kind).write_text(render(kind))
        print(f"wrote {schema_path(kind).relative_to(PROJECT_DIR)}")


if __name__ == "__main__":
    main()
