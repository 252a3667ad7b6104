"""The stage's signing keys: cart tokens and page tokens are signed with them.

A key ring is a JSON object, `{"current": "2", "2": "<secret>", "1": "<previous secret>"}`,
kept in the stage's secret (Secrets Manager; `make run` makes a fresh one). Tokens are
signed with the current key and name its id, and every key in the ring is accepted: to
rotate, add a new key as current and keep the previous one until its tokens have lapsed.
Each use gets its own key derived from the secret, so a cart token can never pass as a page
token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import NamedTuple


class KeyRing(NamedTuple):
    current: str
    secrets: dict[str, str]

    @classmethod
    def parse(cls, document: str) -> KeyRing:
        """A key ring from its JSON; ValueError when it is not one."""
        try:
            ring = json.loads(document)
            current = ring.pop("current")
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ValueError(
                'a key ring is a JSON object {"current": id, id: secret, ...}'
            ) from None
        if current not in ring or not all(
            isinstance(value, str) and len(value) >= 16 for value in ring.values()
        ):
            raise ValueError("every key of a key ring is a string of 16 characters or more")
        return cls(current, ring)

    def sign(self, purpose: str, message: str, kid: str | None = None) -> str:
        """The signature of `message` for `purpose` with key `kid` (default: the current)."""
        secret = self.secrets[kid or self.current].encode()
        key = hmac.new(secret, purpose.encode(), hashlib.sha256).digest()
        digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def verify(self, purpose: str, message: str, kid: str, signature: str) -> bool:
        if kid not in self.secrets:
            return False
        return hmac.compare_digest(self.sign(purpose, message, kid), signature)
