"""The cart aggregate: pure Python, no I/O.

`Cart` enforces the contract's rules (at most 999 of a product, at most 100 distinct
products, one currency, no change once checked out). The DynamoDB repository enforces the
same rules atomically with condition expressions; the in-memory repository of the unit
tests enforces them by calling these methods, so both answer alike.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from random import Random

from chalicelib.domain.change import Change
from chalicelib.domain.commands import ADD, SET, ItemOperation, UpdateCart
from chalicelib.domain.delivery import DeliveryAddress, DeliveryOption, DeliveryRates
from chalicelib.domain.discounts import Discounts
from chalicelib.domain.errors import (
    CartBeingMerged,
    CartEmpty,
    CartNotActive,
    CartNotFound,
    CartServiceError,
    CartTooLarge,
    CurrencyMismatch,
    DeliveryOptionUnavailable,
    DiscountCodeInvalid,
    DiscountCodeNotFound,
    InsufficientStock,
    ItemNotFound,
    LineLimitExceeded,
    MergeIntoItself,
    PreconditionFailed,
    PriceChanged,
    ProductNotFound,
    ProductsUnavailable,
    QuantityLimitExceeded,
    Undeliverable,
)
from chalicelib.domain.holds import Hold, HoldChanges, HolderCount, combine, converted
from chalicelib.domain.lines import Attributes, CartLine, line_order
from chalicelib.domain.money import Money
from chalicelib.domain.products import MAX_QUANTITY, Product
from chalicelib.domain.promotions import MAX_CODES_PER_CART, TOO_MANY
from chalicelib.domain.receipts import Receipt
from chalicelib.domain.size import TextBudget, cart_text_bytes, pairs_bytes, text_bytes
from chalicelib.domain.stock import checkout_takes
from chalicelib.domain.tax import TaxResult
from chalicelib.domain.warnings import (
    INSUFFICIENT_STOCK,
    PRICE_CHANGED,
    UNAVAILABLE,
    CartWarning,
    line_warnings,
)

MAX_LINES = 100
MAX_LINE_ATTRIBUTES = 10
MAX_CART_ATTRIBUTES = 20
MAX_NOTE = 500
MAX_ATTRIBUTE_VALUE = 256
ATTRIBUTE_KEY = r"^[A-Za-z0-9_.-]{1,40}$"
ACTIVE = "ACTIVE"
CHECKED_OUT = "CHECKED_OUT"
MERGING = "MERGING"
"""A cart taking part in a merge too large for one transaction: the source whose lines move
and (in the view) the target receiving them. Neither changes until the merge finishes."""
DELETED = "DELETED"
"""A deleted cart's row, kept for DynamoDB's TTL to remove: it names the change that deleted
it, so that a retried delete knows it succeeded."""


@dataclass
class Cart:
    cart_id: str
    customer_id: str | None
    """None for a guest's cart."""
    currency: str
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    status: str = ACTIVE
    version: int = 1
    lines: list[CartLine] = field(default_factory=list)
    checkout_prices: dict[str, Money] = field(default_factory=dict)
    """The prices frozen at checkout, by product (a checked-out cart's only prices)."""
    merging_from: str | None = None
    """While a large merge moves another cart's lines in, that cart's id."""
    merging_into: str | None = None
    """While this cart's lines move into another cart, that cart's id."""
    merge_receipt: Receipt | None = None
    """A merge target's: the receipt of the keyed merge it receives, committed by whoever
    finishes that merge (the client's retry or the sweeper)."""
    note: str | None = None
    """The shopper's note for the order."""
    attributes: Attributes = field(default_factory=dict)
    """The cart's own string pairs (a delivery date, a gift message): the shop's choice."""
    discount_codes: list[str] = field(default_factory=list)
    """The codes entered, in order (upper case); whether each applies is pricing's to say."""
    checkout_discounts: Discounts | None = None
    """The discounts frozen at checkout (None: a cart checked out before discounts)."""
    delivery_address: DeliveryAddress | None = None
    """Where it goes (None: not known yet; no delivery and no tax)."""
    delivery_option_id: str | None = None
    """The delivery option the shopper chose (None: the cheapest offered)."""
    checkout_delivery: DeliveryOption | None = None
    """The delivery option frozen at checkout, with its amount (None: none)."""
    checkout_tax: TaxResult | None = None
    """The tax frozen at checkout (None: no address then)."""
    checkout_tax_included: bool = False
    """Whether the prices frozen at checkout include the tax."""
    stock_taken: dict[str, int] = field(default_factory=dict)
    """The units its checkout took from the shop's stock, by product (CartCheckedOut says
    so); empty for products whose stock is not counted."""
    holds: dict[str, Hold] = field(default_factory=dict)
    """The units its lines hold, by product (domain/holds.py)."""

    @property
    def shown_status(self) -> str:
        """The status a view shows: a target receiving a merge is MERGING too."""
        return MERGING if self.merging_from is not None else self.status

    def line(self, product_id: str) -> CartLine | None:
        return next((line for line in self.lines if line.product_id == product_id), None)

    def belongs_to(self, owner: str | None) -> bool:
        """Whether a caller acting for `owner` (None: anyone) may see this cart."""
        return owner is None or self.customer_id == owner

    def text_bytes(self) -> int:
        """The cart's free text (note, attributes, line attributes) in bytes: domain/size.py."""
        return cart_text_bytes(self.note, self.attributes, (line.attributes for line in self.lines))

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at <= now

    def check(self, change: Change) -> None:
        """Refuse any change to an expired, deleted or another customer's cart (all: not
        found), to a checked-out or merging cart, or one decided against another version
        (If-Match). A deleted cart's row lingers for the moment its lines are removed."""
        if (
            self.is_expired(change.now)
            or self.status == DELETED
            or not self.belongs_to(change.owner)
        ):
            raise CartNotFound(self.cart_id)
        if self.status == MERGING or self.merging_from is not None:
            raise CartBeingMerged(self.cart_id)
        if self.status != ACTIVE:
            raise CartNotActive(self.cart_id, self.status)
        if change.expected_version is not None and change.expected_version != self.version:
            raise PreconditionFailed(self.cart_id, change.expected_version, self.version)

    def add(
        self, product: Product, quantity: int, change: Change, attributes: Attributes | None = None
    ) -> None:
        """Add `quantity` units of `product`: to its line, or as a new last line; with
        `attributes`, they replace the line's."""
        self.check(change)
        self._add(product, quantity, attributes, change.now, TextBudget(self.text_bytes))
        self._changed(change)

    def set_quantity(
        self,
        product_id: str,
        quantity: int,
        change: Change,
        attributes: Attributes | None = None,
        price: Decimal | None = None,
    ) -> None:
        """Set a line's quantity (0 removes the line), its attributes if given, and the
        price it is set at (the product's now), if known."""
        self.check(change)
        self._set(product_id, quantity, attributes, TextBudget(self.text_bytes), price)
        self._changed(change)

    def apply(
        self, operations: Sequence[ItemOperation], products: Mapping[str, Product], change: Change
    ) -> None:
        """Apply a batch in order as one change (one version step), or none of it: the
        first operation refused raises its error, naming it (`operations[3].quantity`)."""
        self.check(change)
        lines_before = copy.deepcopy(self.lines)
        budget = TextBudget(self.text_bytes)
        for index, operation in enumerate(operations):
            try:
                if operation.op == ADD:
                    product = products.get(operation.product_id)
                    if product is None:
                        raise ProductNotFound(operation.product_id)
                    add = (operation.quantity, operation.attributes, change.now, budget)
                    self._add(product, *add)
                elif operation.op == SET:
                    known = products.get(operation.product_id)
                    price = None
                    if known is not None and known.currency == self.currency:
                        known.check_quantity(operation.quantity)
                        price = known.unit_price.amount
                    set_ = (operation.quantity, operation.attributes, budget, price)
                    self._set(operation.product_id, *set_)
                else:
                    self._set(operation.product_id, 0, None, budget)
            except CartServiceError as error:
                self.lines = lines_before
                part = {QuantityLimitExceeded: "quantity", CartTooLarge: "attributes"}.get(
                    type(error), "productId"
                )
                error.field = f"operations[{index}].{part}"
                error.product_id = operation.product_id
                raise
        self._changed(change)

    def _add(
        self,
        product: Product,
        quantity: int,
        attributes: Attributes | None,
        now: datetime,
        budget: TextBudget,
    ) -> None:
        if quantity < 1:
            raise ValueError("quantity to add must be at least 1")
        if product.currency != self.currency:
            raise CurrencyMismatch(f"product {product.product_id}", product.currency, self.currency)
        line = self.line(product.product_id)
        if attributes is not None:
            old = pairs_bytes(line.attributes) if line is not None else 0
            budget.replace(old, pairs_bytes(attributes), "attributes")
        if line is None:
            if len(self.lines) >= MAX_LINES:
                raise LineLimitExceeded(MAX_LINES)
            product.check_quantity(quantity)
            line = CartLine(product.product_id, product.name, quantity, now)
            self.lines.append(line)
        else:
            product.check_quantity(line.quantity + quantity)
            line.quantity += quantity
            line.name = product.name
        line.price_when_added = product.unit_price.amount
        if attributes is not None:
            line.attributes = dict(attributes)

    def _set(
        self,
        product_id: str,
        quantity: int,
        attributes: Attributes | None,
        budget: TextBudget,
        price: Decimal | None = None,
    ) -> None:
        if quantity < 0:
            raise ValueError("quantity cannot be negative")
        if quantity > MAX_QUANTITY:
            raise QuantityLimitExceeded(product_id, MAX_QUANTITY)
        line = self.line(product_id)
        if line is None:
            raise ItemNotFound(self.cart_id, product_id)
        if quantity == 0:
            self.lines.remove(line)
        else:
            if attributes is not None:
                budget.replace(pairs_bytes(line.attributes), pairs_bytes(attributes), "attributes")
                line.attributes = dict(attributes)
            line.quantity = quantity
            if price is not None:
                line.price_when_added = price

    def update(self, command: UpdateCart, delivery_rates: DeliveryRates, change: Change) -> None:
        """Set what the command gives, as one change: the note (an empty one removes it),
        the attributes (replaced), the delivery address (None removes it, and the option
        chosen with it) and the delivery option, which must be one offered at the address
        in the cart's currency (None: the cheapest)."""
        self.check(change)
        budget = TextBudget(self.text_bytes)
        note, attributes = command.note, command.attributes
        if note is not None:
            budget.replace(text_bytes(self.note or ""), text_bytes(note), "note")
        if attributes is not None:
            budget.replace(pairs_bytes(self.attributes), pairs_bytes(attributes), "attributes")
        address = self.delivery_address
        if command.sets_delivery_address:
            address = command.delivery_address
        option = self.delivery_option_id if address is not None else None
        if command.sets_delivery_option:
            option = command.delivery_option_id
            if option is not None and (
                address is None or option not in delivery_rates.method_ids(address, self.currency)
            ):
                raise DeliveryOptionUnavailable(option, address)
        if note is not None:
            self.note = note or None
        if attributes is not None:
            self.attributes = dict(attributes)
        self.delivery_address, self.delivery_option_id = address, option
        self._changed(change)

    def enter_code(self, code: str, change: Change) -> None:
        """Add a discount code, at most MAX_CODES_PER_CART of them (whether its promotion
        applies is the pricing's to say, each time the cart is priced)."""
        self.check(change)
        if code not in self.discount_codes:
            if len(self.discount_codes) >= MAX_CODES_PER_CART:
                raise DiscountCodeInvalid(code, TOO_MANY)
            self.discount_codes.append(code)
        self._changed(change)

    def remove_code(self, code: str, change: Change) -> None:
        self.check(change)
        if code not in self.discount_codes:
            raise DiscountCodeNotFound(self.cart_id, code)
        self.discount_codes.remove(code)
        self._changed(change)

    def merge(
        self, source: Cart, change: Change, products: Mapping[str, Product] | None = None
    ) -> list[HolderCount]:
        """Move every line of `source` into this cart: quantities add, limits hold (a
        product's maxPerCart too, for the `products` given), and so do its holds (answered:
        the holders' counts they move).

        Lines new to this cart keep the time they were first added to `source` and their
        attributes; a line both hold keeps this cart's.
        """
        if source.cart_id == self.cart_id:
            raise MergeIntoItself(self.cart_id)
        self.check(change)
        source.check(Change(change.now, change.expires_at))
        if source.currency != self.currency:
            raise CurrencyMismatch(f"cart {source.cart_id}", source.currency, self.currency)
        totals = {line.product_id: line.quantity for line in self.lines}
        for moved in source.lines:
            totals[moved.product_id] = totals.get(moved.product_id, 0) + moved.quantity
            product = (products or {}).get(moved.product_id)
            limit = product.limit if product is not None else MAX_QUANTITY
            if totals[moved.product_id] > limit:
                raise QuantityLimitExceeded(moved.product_id, limit)
        if len(totals) > MAX_LINES:
            raise LineLimitExceeded(MAX_LINES)
        arriving = [moved for moved in source.lines if self.line(moved.product_id) is None]
        arriving_text = sum(pairs_bytes(moved.attributes) for moved in arriving)
        TextBudget(self.text_bytes).replace(0, arriving_text, "sourceCartId")
        for moved in source.lines:
            line = self.line(moved.product_id)
            if line is None:
                line = copy.deepcopy(moved)
                self.lines.append(line)
            line.quantity = totals[moved.product_id]
        self.holds, counts = combine(self.holds, source.holds)
        self._changed(change)
        return counts

    def check_out(
        self,
        catalog: dict[str, Product],
        change: Change,
        accept_price_changes: bool = False,
        discounts: Discounts | None = None,
        delivery: DeliveryOption | None = None,
        tax: TaxResult | None = None,
        tax_included: bool = False,
        shards: Random | None = None,
    ) -> HoldChanges:
        """Freeze the cart at the catalog's prices of this moment, the discounts they get
        and, with an address, its delivery option and tax; no change after this. Refused
        while a product is unavailable or short of stock, while a price rose since its line
        was added and the shopper has not accepted it, or while nobody delivers to the
        address. Its holds are converted; answers the units to take from each counted
        product's stock besides (starting at a shard `shards` picks, shard 0 without it, as
        the catalog's levels allow) and the holders' counts given back."""
        self.check(change)
        if not self.lines:
            raise CartEmpty(self.cart_id)
        warnings = self.warnings(catalog, change.now)
        unavailable = [w.product_id for w in warnings if w.code == UNAVAILABLE and w.product_id]
        if unavailable:
            raise ProductsUnavailable(unavailable)
        short = [w for w in warnings if w.code == INSUFFICIENT_STOCK]
        if short:
            raise InsufficientStock(short)
        if self.delivery_address is not None and delivery is None:
            raise Undeliverable(self.delivery_address, self.currency)
        risen = [w for w in warnings if w.code == PRICE_CHANGED and w.is_increase]
        if risen and not accept_price_changes:
            raise PriceChanged(risen)
        self.checkout_prices = {
            line.product_id: catalog[line.product_id].unit_price for line in self.lines
        }
        self.checkout_discounts = discounts
        self.checkout_delivery, self.checkout_tax = delivery, tax
        self.checkout_tax_included = tax_included
        held, counts = converted(self.holds)
        wanted = {
            line.product_id: line.quantity - held.get(line.product_id, 0) for line in self.lines
        }
        takes = checkout_takes({pid: n for pid, n in wanted.items() if n > 0}, catalog, shards)
        sold = {take.product_id for take in takes} | held.keys()
        self.stock_taken = {
            line.product_id: line.quantity for line in self.lines if line.product_id in sold
        }
        self.holds = {}
        self.status = CHECKED_OUT
        self._changed(change)
        return HoldChanges(takes, counts)

    def hold(self, holds: dict[str, Hold], change: Change) -> None:
        """Hold units as `holds` says, changing no line (a large checkout's steps, and its
        units given back when it is refused)."""
        self.check(change)
        self.holds = holds
        self._changed(change)

    def warnings(
        self, catalog: Mapping[str, Product], now: datetime | None = None
    ) -> list[CartWarning]:
        """What the shopper should know about the lines, against the catalog `now` (holds
        that lapsed by then warn)."""
        held = {pid: hold.units for pid, hold in self.holds.items()}
        lapsed = [
            pid for pid, hold in self.holds.items() if now is not None and hold.has_lapsed(now)
        ]
        return line_warnings(self.lines, self.currency, catalog, held, lapsed)

    def _changed(self, change: Change) -> None:
        self.lines.sort(key=line_order)
        self.updated_at = change.now
        self.expires_at = change.expires_at
        self.version += 1
