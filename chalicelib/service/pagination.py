"""Opaque, tamper-evident page tokens for listing a customer's carts.

A token carries where the next page starts (the last cart's createdAt and cartId) and the
customer it was issued for, signed with HMAC-SHA256 (PAGE_TOKEN_KEY). A token that was
altered, corrupted, forged without the key, or issued for another customer is refused as a
VALIDATION_ERROR on `nextToken`: it can never reach another customer's carts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from chalicelib.domain.errors import FieldError, InvalidInput

_SIGNATURE_BYTES = 16


def encode(customer_id: str, position: dict[str, str], key: str) -> str:
    payload = _b64(json.dumps({"c": customer_id, "p": position}, separators=(",", ":")).encode())
    return f"{payload}.{_b64(_sign(payload, key))}"


def decode(token: str, customer_id: str, key: str) -> dict[str, str]:
    """The position a token names; InvalidInput unless this service issued it for this
    customer."""
    try:
        payload, signature = token.split(".")
        if not hmac.compare_digest(_unb64(signature), _sign(payload, key)):
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


def _sign(payload: str, key: str) -> bytes:
    return hmac.new(key.encode(), payload.encode(), hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
