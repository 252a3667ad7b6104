"""Cart tokens: the secret a guest gets for the one cart it created.

`cart.<key id>.<cartId>.<signature>`: URL-safe, under 100 characters, checked with the key
ring alone (no database read). It grants that cart and nothing else, for as long as the
cart lives.
"""

from __future__ import annotations

from chalicelib.domain.identifiers import CART_ID
from chalicelib.service.keys import KeyRing

PREFIX = "cart"
_PURPOSE = "cart-token"


def issue(cart_id: str, keys: KeyRing) -> str:
    return f"{PREFIX}.{keys.current}.{cart_id}.{keys.sign(_PURPOSE, cart_id)}"


def looks_like_one(token: str) -> bool:
    return token.startswith(f"{PREFIX}.")


def cart_of(token: str, keys: KeyRing) -> str | None:
    """The cart a token grants, or None when it is not a token these keys signed."""
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != PREFIX or not CART_ID.fullmatch(parts[2]):
        return None
    _, kid, cart_id, signature = parts
    return cart_id if keys.verify(_PURPOSE, cart_id, kid, signature) else None
