"""Opaque, tamper-evident page tokens for listing a customer's carts.

A token carries where the next page starts (the last cart's createdAt and cartId) and the
customer it was issued for, signed with the stage's key ring (HMAC-SHA256, naming the key
id, so tokens outlive a key rotation). A token that was altered, corrupted, forged without
the key, or issued for another customer is refused as a VALIDATION_ERROR on `nextToken`: it
can never reach another customer's carts.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from chalicelib.domain.errors import FieldError, InvalidInput
from chalicelib.service.keys import KeyRing

_PURPOSE = "page-token"


def encode(customer_id: str, position: dict[str, str], keys: KeyRing) -> str:
    payload = _b64(json.dumps({"c": customer_id, "p": position}, separators=(",", ":")).encode())
    return f"{keys.current}.{payload}.{keys.sign(_PURPOSE, payload)}"


def decode(token: str, customer_id: str, keys: KeyRing) -> dict[str, str]:
    """The position a token names; InvalidInput unless this service issued it for this
    customer."""
    try:
        kid, payload, signature = token.split(".")
        if not keys.verify(_PURPOSE, payload, kid, signature):
            raise ValueError("bad signature")
        document: Any = json.loads(_unb64(payload))
        position = document["p"]
        if document["c"] != customer_id or not isinstance(position, dict):
            raise ValueError("another customer's token")
        if set(position) != {"createdAt", "cartId"} or not all(
            isinstance(value, str) for value in position.values()
        ):
            raise ValueError("not a position")
    except (ValueError, KeyError, TypeError):
        raise InvalidInput(
            [FieldError("nextToken", "is not a token this service issued for this customer")]
        ) from None
    return position


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
