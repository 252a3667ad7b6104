"""Who is calling, and which carts that caller may reach.

A trusted caller (a backend signing with IAM, or a stage without checks) acts for any
customer. A shopper acts only on carts whose `customerId` is their token's subject; a guest,
holding the cart token that creating a cart handed out, acts only on that one cart. A cart a
caller may not reach is, to that caller, a cart that does not exist.
"""

from __future__ import annotations

from typing import NamedTuple

TRUSTED = "trusted"
SHOPPER = "shopper"
GUEST = "guest"


class Caller(NamedTuple):
    kind: str
    subject: str | None = None
    """A shopper's id: their token's `sub`, the `customerId` of their carts."""
    cart_id: str | None = None
    """The one cart a guest's cart token grants."""

    @property
    def owner(self) -> str | None:
        """The customer every cart this caller changes must belong to (None: any cart the
        caller can name, which for a guest is its one cart)."""
        return self.subject if self.kind == SHOPPER else None

    @property
    def scope(self) -> str:
        """Whose idempotency keys these are: two callers' keys never collide."""
        if self.kind == SHOPPER:
            return f"shopper:{self.subject}"
        if self.kind == GUEST:
            return f"guest:{self.cart_id}"
        return TRUSTED

    def may_name(self, cart_id: str) -> bool:
        """Whether the caller may even ask for this cart (a guest: its own only)."""
        return self.kind != GUEST or self.cart_id == cart_id


TRUSTED_CALLER = Caller(TRUSTED)
ANONYMOUS_CALLER = Caller(GUEST)
"""No token in shopper mode: may create a guest cart, and nothing else."""


def shopper(subject: str) -> Caller:
    return Caller(SHOPPER, subject=subject)


def guest(cart_id: str) -> Caller:
    return Caller(GUEST, cart_id=cart_id)
