"""The cart operations: one method per operation of the contract.

Each method takes validated input and the request's context (the caller, If-Match's
version, a keyed request's receipt: one RequestContext, built at the edge), makes one
atomic change through the repository and answers with the priced cart as stored: read
back after a single-line write (strongly consistent, so concurrent changes show), or as
decided for a change written pinned to the version read (changes.py). A cart lives
`lifetime` (CART_TTL_DAYS) after its last change.

Who may reach which cart (domain/access.py) is checked where the data is: a shopper's
changes carry the owner into the write's condition, so no read-then-check race exists, and
reads compare the owner of what they read. Another's cart answers as a missing one.
"""

from __future__ import annotations

import copy
import logging
import uuid
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from chalicelib.domain.access import GUEST, SHOPPER, TRUSTED_CALLER, Caller
from chalicelib.domain.attempts import MAX_REFUSED_CODES_PER_ADDRESS
from chalicelib.domain.cart import Cart
from chalicelib.domain.change import Change
from chalicelib.domain.clock import utc_now
from chalicelib.domain.commands import (
    ADD,
    REMOVE,
    SET,
    AddItem,
    ChangeItems,
    CreateCart,
    ItemOperation,
    ListCarts,
    MergeCarts,
    UpdateCart,
    UpdateItem,
)
from chalicelib.domain.delivery import DeliveryAddress
from chalicelib.domain.errors import (
    CartLimitExceeded,
    Forbidden,
    ProductNotFound,
)
from chalicelib.domain.events import (
    CART_UPDATED,
    ITEM_ADDED,
    ITEM_QUANTITY_CHANGED,
    ITEM_REMOVED,
    ITEMS_CHANGED,
)
from chalicelib.domain.holds import HOLDS_PER_ADDRESS, HOLDS_PER_SHOPPER, asks_for_holds
from chalicelib.domain.pricing import PricedCart
from chalicelib.domain.products import Product
from chalicelib.service import cart_tokens, pagination
from chalicelib.service.changes import (
    DEFAULT_LIFETIME,
    TRUSTED_REQUEST,
    Changes,
    RequestContext,
    committed,
)
from chalicelib.service.checkout import Checkout
from chalicelib.service.discount_codes import DiscountCodes
from chalicelib.service.holding import Holding
from chalicelib.service.keys import KeyRing
from chalicelib.service.merging import Merging
from chalicelib.service.ports import CartRepository, CodeAttempts, HoldSweep, StockLedger
from chalicelib.service.pricing import Pricing, ShopTerms
from chalicelib.service.stock import StockKeeping

log = logging.getLogger(__name__)

MAX_ACTIVE_CARTS_PER_SHOPPER = 20


class CartsPage(NamedTuple):
    carts: list[Cart]
    next_token: str | None


class CreatedCart(NamedTuple):
    priced: PricedCart
    cart_token: str | None
    """A guest's cart token: handed out once, with the created cart."""


class CartService:
    """The operations of the contract. Each runs through `Changes` (changes.py: read,
    decide, write, retry, answer); the discount codes' are DiscountCodes'
    (discount_codes.py), which it holds."""

    def __init__(
        self,
        carts: CartRepository,
        pricing: Pricing,
        keys: Callable[[], KeyRing],
        attempts: CodeAttempts,
        stock: StockLedger,
        holds: HoldSweep,
        lifetime: timedelta = DEFAULT_LIFETIME,
        codes_per_address: int = MAX_REFUSED_CODES_PER_ADDRESS,
        holds_per_address: int = HOLDS_PER_ADDRESS,
        holds_per_shopper: int = HOLDS_PER_SHOPPER,
        clock: Callable[[], datetime] = utc_now,
        new_cart_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._carts = carts
        self._pricing = pricing
        self._catalog = pricing.catalog
        self._keys = keys
        self._clock = clock
        self._new_cart_id = new_cart_id
        holding = Holding(self._catalog, holds, holds_per_address, holds_per_shopper)
        self._changes = Changes(carts, pricing, holding, lifetime, clock)
        self._codes = DiscountCodes(
            self._changes, carts, pricing, attempts, codes_per_address, clock
        )
        self._checkout = Checkout(self._changes, carts, pricing)
        self._merging = Merging(self._changes, carts, self._catalog, keys)
        self.stock = StockKeeping(self._catalog, stock, clock)
        """The shop's own changes to its stock (the adjust_stock operation)."""

    def enter_discount_code(
        self, cart_id: str, code: str, context: RequestContext = TRUSTED_REQUEST
    ) -> PricedCart:
        return self._codes.enter_discount_code(cart_id, code, context)

    def remove_discount_code(
        self, cart_id: str, code: str, context: RequestContext = TRUSTED_REQUEST
    ) -> PricedCart:
        return self._codes.remove_discount_code(cart_id, code, context)

    def create_cart(
        self,
        command: CreateCart,
        context: RequestContext = TRUSTED_REQUEST,
    ) -> CreatedCart:
        """A new cart, empty or with the command's lines: a shopper's own, a guest's (with
        its cart token), or, for a trusted caller, the named customer's."""
        customer_id, caller = command.customer_id, context.caller
        if caller.kind == SHOPPER:
            if customer_id not in (None, caller.subject):
                raise Forbidden("a shopper creates carts for themselves only")
            customer_id = caller.subject
        elif caller.kind == GUEST and customer_id is not None:
            raise Forbidden("a cart for a customer needs that customer's token")
        cart_id = self._new_cart_id()
        holding = self._changes.holding
        token = cart_tokens.issue(cart_id, self._keys()) if caller.kind == GUEST else None
        answer = context.answer

        def create(change: Change) -> tuple[Cart, dict[str, Product], Callable[[], ShopTerms]]:
            if caller.kind == SHOPPER and customer_id is not None:
                active = self._carts.count_active(customer_id, change.now)
                if active >= MAX_ACTIVE_CARTS_PER_SHOPPER:
                    raise CartLimitExceeded(MAX_ACTIVE_CARTS_PER_SHOPPER)
            empty = Cart(
                cart_id,
                customer_id,
                command.currency,
                created_at=change.now,
                updated_at=change.now,
                expires_at=change.expires_at,
                delivery_address=command.delivery_address,
            )
            cart, products, held = empty, {}, None
            if command.lines:  # written with the cart, all or none, holding what they ask
                cart = copy.deepcopy(empty)
                named = sorted({op.product_id for op in command.lines})
                current = holding.levels_soon(named)
                products = self._catalog.get_many(named)
                cart.apply(command.lines, products, change)
                cart.version = 1  # created with its lines: still its first version
                held = holding.hold(empty, cart, change, current())
            # The promotions (for approachingDiscounts) and rates, if not cached, read while
            # the cart is written: creating stays one round trip.
            terms = self._pricing.terms_soon()
            if answer is None or change.receipt is None:
                self._carts.create(cart, change, held)
                return cart, products, terms
            # A keyed create's answer is known before the write: it goes in the receipt.
            created = CreatedCart(
                self._pricing.price_with(cart, products, terms(), change.now), token
            )
            answer.written(
                change, created, lambda answered: self._carts.create(cart, answered, held)
            )
            return cart, products, terms

        # create takes no If-Match
        cart, products, terms = self._changes.attempts(None, context, create)
        if answer is not None and isinstance(answer.shown, CreatedCart):
            return answer.shown
        with committed(cart.cart_id):
            priced = self._pricing.price_with(cart, products, terms(), cart.created_at)
        return CreatedCart(priced, token)

    def get_cart(self, cart_id: str, caller: Caller = TRUSTED_CALLER) -> PricedCart:
        return self._changes.priced(self._changes.read(cart_id, caller, self._clock()))

    def add_item(
        self,
        cart_id: str,
        command: AddItem,
        context: RequestContext = TRUSTED_REQUEST,
    ) -> PricedCart:
        self._changes.may_name(cart_id, context.caller)  # before the catalog is read
        product = self._catalog.get(command.product_id)
        if product is None:
            raise ProductNotFound(command.product_id)
        product.check_quantity(command.quantity)  # more than a cart may hold, on any line

        def add_whole(cart: Cart, change: Change) -> None:
            cart.add(product, command.quantity, change, command.attributes)

        pid = product.product_id
        # Text (its budget is the whole cart's: domain/size.py) and holds are decided on
        # the cart read whole.
        if command.attributes or asks_for_holds(product):
            return self._changes.decide(cart_id, context, add_whole, ITEM_ADDED, pid, [pid])

        def add(change: Change) -> Cart:
            return self._carts.add_line(
                cart_id, product, command.quantity, change, command.attributes
            )

        return self._changes.one_line(cart_id, context, add, add_whole, ITEM_ADDED, pid)

    def update_item(
        self,
        cart_id: str,
        product_id: str,
        command: UpdateItem,
        context: RequestContext = TRUSTED_REQUEST,
    ) -> PricedCart:
        self._changes.may_name(cart_id, context.caller)  # before the catalog is read
        product = self._catalog.get(product_id)
        price = None
        if product is not None:  # one that left the catalog keeps the cart's own limit
            product.check_quantity(command.quantity)
            price = product.unit_price.amount

        def set_whole(cart: Cart, change: Change) -> None:
            cart.set_quantity(product_id, command.quantity, change, command.attributes, price)

        event = ITEM_QUANTITY_CHANGED
        if (command.attributes and command.quantity) or asks_for_holds(product):  # as add's
            return self._changes.decide(
                cart_id, context, set_whole, event, product_id, [product_id]
            )

        def set_(change: Change) -> Cart:
            line = (product_id, command.quantity, change, command.attributes, price)
            return self._carts.set_quantity(cart_id, *line)

        return self._changes.one_line(cart_id, context, set_, set_whole, event, product_id)

    def change_items(
        self,
        cart_id: str,
        command: ChangeItems,
        context: RequestContext = TRUSTED_REQUEST,
    ) -> PricedCart:
        """Apply a batch of line operations, all or none, as one change."""
        named = sorted({op.product_id for op in command.operations if op.op != REMOVE})
        self._changes.may_name(cart_id, context.caller)  # before the catalog is read
        products = self._catalog.get_many(named)

        def apply(cart: Cart, change: Change) -> None:
            cart.apply(command.operations, products, change)

        return self._changes.decide(cart_id, context, apply, ITEMS_CHANGED, stock_of=named)

    def replace_items(
        self,
        cart_id: str,
        lines: Sequence[ItemOperation],
        context: RequestContext = TRUSTED_REQUEST,
        address: DeliveryAddress | None = None,
    ) -> PricedCart:
        """The cart's lines made exactly these, as one change (UCP's update): lines not
        named removed, new ones added, unchanged ones left alone; and the delivery address
        set, if one is given."""
        wanted = {line.product_id: line.quantity for line in lines}
        self._changes.may_name(cart_id, context.caller)  # before the catalog is read
        products = self._catalog.get_many(sorted(wanted))

        def replace(cart: Cart, change: Change) -> None:
            held = {line.product_id: line.quantity for line in cart.lines}
            removed = [ItemOperation(REMOVE, pid) for pid in held if pid not in wanted]
            changed = [
                ItemOperation(SET if pid in held else ADD, pid, quantity)
                for pid, quantity in wanted.items()
                if held.get(pid) != quantity
            ]
            if address is not None:
                cart.delivery_address = address  # with the lines: one change, one version
            cart.apply([*removed, *changed], products, change)

        return self._changes.decide(cart_id, context, replace, ITEMS_CHANGED, stock_of=wanted)

    def update_cart(
        self,
        cart_id: str,
        command: UpdateCart,
        context: RequestContext = TRUSTED_REQUEST,
    ) -> PricedCart:
        """Set the cart's note, attributes, delivery address and delivery option, those given."""
        terms = self._pricing.terms_soon()  # the delivery rates, read along with the cart

        def update(cart: Cart, change: Change) -> None:
            cart.update(command, terms().rates.delivery, change)

        return self._changes.decide(cart_id, context, update, CART_UPDATED)

    def remove_item(
        self,
        cart_id: str,
        product_id: str,
        context: RequestContext = TRUSTED_REQUEST,
    ) -> PricedCart:
        self._changes.may_name(cart_id, context.caller)  # before the catalog is read

        def remove(cart: Cart, change: Change) -> None:
            cart.set_quantity(product_id, 0, change)

        if asks_for_holds(self._catalog.get(product_id)):  # its units go back: decided
            return self._changes.decide(cart_id, context, remove, ITEM_REMOVED, product_id)

        def remove_blind(change: Change) -> Cart:
            return self._carts.set_quantity(cart_id, product_id, 0, change)

        return self._changes.one_line(
            cart_id, context, remove_blind, remove, ITEM_REMOVED, product_id
        )

    def delete_cart(
        self,
        cart_id: str,
        context: RequestContext = TRUSTED_REQUEST,
        lines: Collection[str] | None = None,
    ) -> None:
        """Delete the cart; `lines`: its lines' products, when the caller read them at the
        version it deletes (If-Match), so that they need no reading again."""
        self._carts.delete(cart_id, self._changes.change(context, cart_id), lines)

    def list_customer_carts(
        self, customer_id: str | None, query: ListCarts, caller: Caller = TRUSTED_CALLER
    ) -> CartsPage:
        """A page of the customer's carts, newest first, and the token of the next page.
        `customer_id` None: the calling shopper's own."""
        if caller.kind == GUEST or (
            caller.kind == SHOPPER and customer_id not in (None, caller.subject)
        ):
            raise Forbidden("a shopper lists their own carts only")
        customer = customer_id or caller.subject
        if customer is None:
            raise Forbidden("only a shopper has carts of their own")
        after = None
        if query.next_token is not None:
            after = pagination.decode(query.next_token, customer, self._keys())
        carts, position = self._carts.list_for_customer(customer, query.limit, after, self._clock())
        token = pagination.encode(customer, position, self._keys()) if position else None
        return CartsPage(carts, token)

    def merge_carts(
        self,
        cart_id: str,
        command: MergeCarts,
        context: RequestContext = TRUSTED_REQUEST,
    ) -> PricedCart:
        """Move the source cart's lines into this one (merging.py)."""
        return self._merging.merge(cart_id, command, context)

    def check_out(
        self,
        cart_id: str,
        accept_price_changes: bool = False,
        context: RequestContext = TRUSTED_REQUEST,
    ) -> PricedCart:
        """Freeze the cart at the catalog's prices and the discounts of now, counting the
        uses of limited promotions and taking its stock (checkout.py); it can only be read
        afterwards."""

        return self._checkout.run(cart_id, accept_price_changes, context)

    def release_lapsed_holds(self) -> int:
        """Give back the units of every hold that lapsed (the sweep, each minute); how many."""
        return self._changes.holding.release_lapsed(self._clock())

    def finish_stalled_merges(self) -> list[str]:
        """Finish every merge in steps interrupted over a minute ago (merging.py)."""
        return self._merging.finish_stalled()
