"""UCP's JSON shapes: a priced cart as UCP's cart, and a refusal as UCP's error response.

Money is an integer in the currency's minor unit (1999 for 19.99 USD, 1200 for 1200 JPY,
1250 for 1.250 KWD), converted exactly from the service's decimals. What the shopper should
know (a price that changed, short stock, a product gone) is a message on the cart, never a
failure: the agent can act on it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chalicelib.domain.cart import CHECKED_OUT
from chalicelib.domain.clock import format_timestamp
from chalicelib.domain.money import Money
from chalicelib.domain.pricing import PricedCart
from chalicelib.domain.warnings import (
    HOLD_EXPIRED,
    INSUFFICIENT_STOCK,
    PRICE_CHANGED,
    UNDELIVERABLE,
    CartWarning,
)
from chalicelib.edge.ucp import CART_CAPABILITY, UCP_VERSION

ESTIMATE = "Estimated total (taxes and delivery calculated at checkout)"
"""The total's text without an address; with one, delivery and tax are in it."""


def envelope(status: str | None = None) -> dict[str, Any]:
    """The `ucp` member every answer carries: the version, the capability it answers for."""
    ucp: dict[str, Any] = {"version": UCP_VERSION}
    if status is not None:
        ucp["status"] = status
    ucp["capabilities"] = {CART_CAPABILITY: [{"version": UCP_VERSION}]}
    return ucp


def minor(money: Money) -> int:
    """Exact: the service keeps money in the currency's own minor digits."""
    return money.minor_units()


def cart_document(priced: PricedCart, ucp_id: str, continue_url: str) -> dict[str, Any]:
    cart = priced.cart
    positions = {line.line.product_id: index for index, line in enumerate(priced.lines)}
    line_items = []
    for priced_line in priced.lines:
        line = priced_line.line
        unit = priced_line.unit_price
        price = unit or Money(line.price_when_added or Decimal(0), cart.currency)
        subtotal = priced_line.line_total or Money.zero(cart.currency)
        share = priced.discounts.lines.get(line.product_id)
        tax = None
        if priced.tax is not None and not priced.tax_included and unit is not None:
            tax = priced.tax.line_amount(line.product_id, cart.currency)
        line_items.append(
            {
                "id": line.product_id,
                "item": {"id": line.product_id, "title": line.name, "price": minor(price)},
                "quantity": line.quantity,
                "totals": _line_totals(subtotal, share, tax),
            }
        )
    document = {
        "ucp": envelope(),
        "id": ucp_id,
        "line_items": line_items,
        "currency": cart.currency,
        "totals": _cart_totals(priced),
        "continue_url": continue_url,
        "expires_at": format_timestamp(cart.expires_at),
    }
    messages = [_warning(warning, positions) for warning in priced.warnings]
    messages += [
        {
            "type": "info",
            "code": "held",
            "path": f"$.line_items[{positions[line.product_id]}]",
            "content": f"{line.quantity} of {line.product_id} held for this cart until "
            f"{format_timestamp(held_until)}.",
        }
        for line in cart.lines
        if (held_until := priced.held_until(line.product_id)) is not None
    ]
    messages += [
        {
            "type": "info",
            "code": "discount_approaching",
            "content": f"Add {near.amount_remaining.format()} {cart.currency} more for: "
            f"{near.title}.",
        }
        for near in priced.approaching
    ]
    if cart.status == CHECKED_OUT:
        messages.append(
            {
                "type": "info",
                "code": "checked_out",
                "content": "This cart has been checked out: it can be read, not changed.",
            }
        )
    if messages:
        document["messages"] = messages
    return document


def _line_totals(
    subtotal: Money, discount: Money | None, tax: Money | None
) -> list[dict[str, Any]]:
    """A line's subtotal, its share of the discounts, and its tax when added to the price."""
    entries: list[dict[str, Any]] = [{"type": "subtotal", "amount": minor(subtotal)}]
    due = subtotal
    if discount is not None and discount.amount > 0:
        entries.append({"type": "discount", "amount": -minor(discount)})
        due = Money(subtotal.amount - discount.amount, subtotal.currency)
    if tax is not None:
        entries.append({"type": "tax", "amount": minor(tax)})
        due = due + tax
    entries.append({"type": "total", "amount": minor(due)})
    return entries


def _cart_totals(priced: PricedCart) -> list[dict[str, Any]]:
    discounts = priced.discounts
    entries: list[dict[str, Any]] = [{"type": "subtotal", "amount": minor(priced.subtotal)}]
    if discounts.total.amount > 0:
        discount: dict[str, Any] = {"type": "discount", "amount": -minor(discounts.total)}
        amounts = [-minor(applied.amount) for applied in discounts.applied]
        if sum(amounts) == discount["amount"]:  # UCP: the sub-lines sum to their entry
            discount["lines"] = [
                {"display_text": applied.title, "amount": amount}
                for applied, amount in zip(discounts.applied, amounts, strict=True)
            ]
        entries.append(discount)
    if priced.delivery is not None:
        delivery = priced.delivery
        entries.append(
            {
                "type": "fulfillment",
                "amount": minor(delivery.amount),
                "display_text": delivery.title,
            }
        )
    total_text = ESTIMATE
    if priced.tax is not None:
        taxes = priced.tax.tax_lines()
        amount = priced.tax.amount(priced.cart.currency)
        if priced.tax_included:
            total_text = f"Total, including {amount.format()} {amount.currency} tax"
        else:
            total_text = "Total"
            entries.append(
                {
                    "type": "tax",
                    "amount": minor(amount),
                    "display_text": "Tax",
                    "lines": [
                        {"display_text": f"{t.name} {t.rate_text()}%", "amount": minor(t.amount)}
                        for t in taxes
                    ],
                }
            )
    entries.append({"type": "total", "amount": minor(priced.total), "display_text": total_text})
    return entries


def _warning(warning: CartWarning, positions: dict[str, int]) -> dict[str, Any]:
    if warning.product_id is None:
        return _cart_warning(warning)
    path = f"$.line_items[{positions[warning.product_id]}]"
    if warning.code == PRICE_CHANGED:
        before, now = warning.previous_unit_price, warning.unit_price
        assert before is not None and now is not None
        return {
            "type": "warning",
            "code": "price_changed",
            "path": path,
            "content": f"The price of {warning.product_id} changed from {before.format()} to "
            f"{now.format()} {now.currency} since it was added.",
        }
    if warning.code == HOLD_EXPIRED:
        return {
            "type": "warning",
            "code": "hold_expired",
            "path": path,
            "content": f"The hold on {warning.product_id} lapsed: its units are back on sale,"
            " and the next change or the checkout takes them again if some are left.",
        }
    if warning.code == INSUFFICIENT_STOCK:
        return {
            "type": "error",
            "code": "insufficient_stock",
            "path": path,
            "content": f"Only {warning.available} of {warning.product_id} in stock: "
            "lower the quantity.",
            "severity": "recoverable",
        }
    return {
        "type": "error",
        "code": "item_unavailable",
        "path": path,
        "content": f"{warning.product_id} is no longer sold: remove it from the cart.",
        "severity": "recoverable",
    }


def _cart_warning(warning: CartWarning) -> dict[str, Any]:
    if warning.code == UNDELIVERABLE:
        return {
            "type": "warning",
            "code": "undeliverable",
            "path": "$.context",
            "content": "We do not deliver to this address in this currency: checkout will be"
            " refused. Give another address_country.",
        }
    return {
        "type": "warning",
        "code": "tax_estimated",
        "content": "The tax shown is an estimate: the shop's tax service did not answer.",
    }


def error_document(messages: list[dict[str, Any]], continue_url: str) -> dict[str, Any]:
    """UCP's error response: no cart to show (not found, or the request refused)."""
    return {"ucp": envelope("error"), "messages": messages, "continue_url": continue_url}
