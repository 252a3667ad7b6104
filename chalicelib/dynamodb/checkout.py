"""Checkout on DynamoDB: the cart row frozen at its prices and discounts, and the uses of
its limited promotions counted, in one commit.

The freeze is one write of the cart row however many lines (the lines stay as they are).
With a limited promotion or an Idempotency-Key it is a transaction: each use counter is
incremented on the condition that it is below its limit, so a limit holds exactly however
many checkouts run at once, and a counter that reached its limit refuses the whole checkout
(the promotion names the error). Otherwise it is a single conditional update, which
recognises its own earlier success when botocore retries it after a lost answer.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from chalicelib.domain import events
from chalicelib.domain.cart import CHECKED_OUT, Cart, Change, Product
from chalicelib.domain.discounts import Discounts
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.promotions import Promotion
from chalicelib.dynamodb.calls import ItemRefusal, storage_errors
from chalicelib.dynamodb.expressions import cart_update, pinned, written_by
from chalicelib.dynamodb.promotions import use_counts, use_update, uses_from
from chalicelib.dynamodb.rows import Row, discounts_map

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

Transact = Callable[..., None]


class CartCheckout:
    def __init__(
        self,
        client: DynamoDBClient,
        carts_table: str,
        uses_table: str,
        transact: Transact,
        after_change: Callable[[str], Cart],
    ) -> None:
        self._client = client
        self._carts = carts_table
        self._uses = uses_table
        self._transact = transact
        self._after_change = after_change

    def run(
        self,
        cart: Cart,
        catalog: Mapping[str, Product],
        change: Change,
        accept_price_changes: bool,
        discounts: Discounts | None,
        counted: Sequence[Promotion],
    ) -> Cart:
        checked_out = copy.deepcopy(cart)
        # the rules: raise before any write
        checked_out.check_out(dict(catalog), change, accept_price_changes, discounts)
        update = self._freeze(cart, checked_out, change)
        counts = [count for p in counted for count in use_counts(p, cart.customer_id)]
        if counts or change.receipt is not None:
            actions: list[Row] = [{"Update": update}]
            refusals: dict[int, ItemRefusal] = {}
            for key, limit, promotion, per_customer in counts:
                refusals[len(actions)] = _used_up(promotion, per_customer)
                actions.append(use_update(self._uses, key, limit))
            self._transact(cart.cart_id, actions, change=change, item_refusals=refusals)
            return self._after_change(cart.cart_id)
        with storage_errors():
            try:
                self._client.update_item(**update, ReturnValuesOnConditionCheckFailure="ALL_OLD")
            except self._client.exceptions.ConditionalCheckFailedException as error:
                if not written_by(error.response.get("Item", {}), change):
                    raise ConcurrentUpdate(cart.cart_id) from None
                # else: this checkout, retried by botocore after its answer was lost
        return self._after_change(cart.cart_id)

    def _freeze(self, cart: Cart, checked_out: Cart, change: Change) -> Row:
        """The cart row's update: checked out, its prices and discounts frozen, if it is
        still as read."""
        prices = {
            pid: {"N": str(price.amount)} for pid, price in checked_out.checkout_prices.items()
        }
        sets = "#status = :checkedOut, checkoutPrices = :prices, lastChange = :changeId"
        values = {
            ":checkedOut": {"S": CHECKED_OUT},
            ":prices": {"M": prices},
            ":changeId": {"S": change.change_id},
        }
        if checked_out.checkout_discounts is not None:
            sets += ", checkoutDiscounts = :discounts"
            values[":discounts"] = discounts_map(checked_out.checkout_discounts)
        return cart_update(
            self._carts,
            cart.cart_id,
            change,
            pinned(cart, change),
            events.CART_CHECKED_OUT,
            set_=sets,
            values=values,
        )


def _used_up(promotion: Promotion, per_customer: bool) -> ItemRefusal:
    """A use counter's failed condition, named by its promotion's own rule."""

    def refusal(counter: Row | None) -> None:
        uses = uses_from(counter)
        promotion.check_uses(0 if per_customer else uses, uses if per_customer else 0, True)

    return refusal
