"""The operations' validated inputs: what the edge parses a request into for the service."""

from __future__ import annotations

from typing import NamedTuple

from chalicelib.domain.delivery import DeliveryAddress


class CreateCart(NamedTuple):
    customer_id: str | None
    """None: the caller's own (a shopper), or nobody's (a guest cart)."""
    currency: str
    lines: tuple[ItemOperation, ...] = ()
    """Lines the cart starts with (an agent's create names them), added as one batch."""
    delivery_address: DeliveryAddress | None = None
    """Where it goes, if known at once (an agent's context)."""


class AddItem(NamedTuple):
    product_id: str
    quantity: int
    attributes: dict[str, str] | None = None
    """None: the line keeps its own (a new line has none)."""


class AdjustStock(NamedTuple):
    """The shop's change of a product's stock: units put back (a restock, a return) or
    removed (shrinkage)."""

    product_id: str
    delta: int


class UpdateItem(NamedTuple):
    quantity: int
    attributes: dict[str, str] | None = None


class UpdateCart(NamedTuple):
    note: str | None = None
    """None: the note is left as it is; "": it is removed."""
    attributes: dict[str, str] | None = None
    """None: the attributes are left as they are; given: they replace the cart's."""
    sets_delivery_address: bool = False
    """Whether the command sets the delivery address (to `delivery_address`)."""
    delivery_address: DeliveryAddress | None = None
    """The new address (None: removed, and the option chosen with it)."""
    sets_delivery_option: bool = False
    """Whether the command chooses the delivery option (`delivery_option_id`)."""
    delivery_option_id: str | None = None
    """The option chosen (None: the cheapest offered)."""


ADD, SET, REMOVE = "add", "set", "remove"
MAX_OPERATIONS = 50


class ItemOperation(NamedTuple):
    """One operation of a batch: add units, set the quantity (0 removes), or remove."""

    op: str
    product_id: str
    quantity: int = 0
    attributes: dict[str, str] | None = None


class ChangeItems(NamedTuple):
    operations: list[ItemOperation]
    """1 to MAX_OPERATIONS, applied in order, all or none."""


class MergeCarts(NamedTuple):
    source_cart_id: str
    source_cart_token: str | None = None
    """The guest cart's token: proof that a shopper signing in may take its lines."""


class ListCarts(NamedTuple):
    limit: int
    next_token: str | None
