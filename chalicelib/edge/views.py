"""The contract's JSON shapes for domain objects, shared by the REST routes and the functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain.cart import Cart
from chalicelib.domain.clock import format_timestamp
from chalicelib.domain.delivery import DeliveryAddress
from chalicelib.domain.pricing import PricedCart, PricedLine
from chalicelib.domain.warnings import CartWarning


def cart_view(priced: PricedCart) -> dict[str, Any]:
    cart = priced.cart
    return {
        "cartId": cart.cart_id,
        "customerId": cart.customer_id,
        "status": cart.shown_status,
        "currency": cart.currency,
        "createdAt": format_timestamp(cart.created_at),
        "updatedAt": format_timestamp(cart.updated_at),
        "expiresAt": format_timestamp(cart.expires_at),
        "note": cart.note,
        "attributes": cart.attributes,
        "items": [_line_view(line, priced) for line in priced.lines],
        "itemCount": priced.item_count,
        "subtotalAmount": priced.subtotal.format(),
        "discountCodes": cart.discount_codes,
        "discounts": [
            {
                "promotionId": applied.promotion_id,
                "code": applied.code,
                "title": applied.title,
                "amount": applied.amount.format(),
            }
            for applied in priced.discounts.applied
        ],
        "discountAmount": priced.discounts.total.format(),
        **delivery_and_tax_view(priced),
        "totalAmount": priced.total.format(),
        "approachingDiscounts": [
            {
                "promotionId": near.promotion_id,
                "title": near.title,
                "amountRemaining": near.amount_remaining.format(),
            }
            for near in priced.approaching
        ],
        "warnings": [warning_view(warning) for warning in priced.warnings],
    }


def delivery_and_tax_view(priced: PricedCart) -> dict[str, Any]:
    """Where the cart goes, the options of getting it there, and the tax: all null or empty
    without an address (but whether prices include tax, which the currency says)."""
    address, chosen, tax = priced.cart.delivery_address, priced.delivery, priced.tax
    return {
        "deliveryAddress": None if address is None else address_view(address),
        "deliveryOptions": [
            {
                "id": option.option_id,
                "title": option.title,
                "amount": option.amount.format(),
                "minDays": option.min_days,
                "maxDays": option.max_days,
            }
            for option in priced.delivery_options
        ],
        "deliveryOptionId": None if chosen is None else chosen.option_id,
        "deliveryAmount": None if chosen is None else chosen.amount.format(),
        "taxIncluded": priced.tax_included,
        "taxLines": [
            {
                "name": line.name,
                "rate": line.rate_text(),
                "amount": line.amount.format(),
            }
            for line in (tax.tax_lines() if tax is not None else [])
        ],
        "taxAmount": None if priced.tax_amount is None else priced.tax_amount.format(),
    }


def address_view(address: DeliveryAddress) -> dict[str, Any]:
    view = {"country": address.country}
    if address.region is not None:
        view["region"] = address.region
    if address.postal_code is not None:
        view["postalCode"] = address.postal_code
    return view


def warning_view(warning: CartWarning) -> dict[str, Any]:
    """`{"code", "productId", ...}`: the prices of a PRICE_CHANGED, the stock of an
    INSUFFICIENT_STOCK; a warning about the whole cart (UNDELIVERABLE, TAX_ESTIMATED) has
    no productId."""
    view: dict[str, Any] = {"code": warning.code}
    if warning.product_id is not None:
        view["productId"] = warning.product_id
    if warning.previous_unit_price is not None and warning.unit_price is not None:
        view["previousUnitPrice"] = warning.previous_unit_price.format()
        view["unitPrice"] = warning.unit_price.format()
    if warning.available is not None:
        view["available"] = warning.available
    return view


def _line_view(priced: PricedLine, cart: PricedCart) -> dict[str, Any]:
    line = priced.line
    discount = cart.discounts.lines.get(line.product_id)
    tax = None
    if cart.tax is not None and priced.available:
        tax = cart.tax.line_amount(line.product_id, cart.cart.currency).format()
    return {
        "productId": line.product_id,
        "name": line.name,
        "quantity": line.quantity,
        "unitPrice": None if priced.unit_price is None else priced.unit_price.format(),
        "lineTotal": None if priced.line_total is None else priced.line_total.format(),
        "discountAmount": None if discount is None else discount.format(),
        "taxAmount": tax,
        "available": priced.available,
        "addedAt": format_timestamp(line.added_at),
        "attributes": line.attributes,
        "heldUntil": _present(cart.held_until(line.product_id)),
    }


def _present(moment: datetime | None) -> str | None:
    return None if moment is None else format_timestamp(moment)


def cart_summary(cart: Cart) -> dict[str, Any]:
    """A cart in a customer's list: enough to pick one, without pricing it."""
    return {
        "cartId": cart.cart_id,
        "status": cart.shown_status,
        "currency": cart.currency,
        "createdAt": format_timestamp(cart.created_at),
        "updatedAt": format_timestamp(cart.updated_at),
        "itemCount": sum(line.quantity for line in cart.lines),
    }


def carts_page(carts: list[Cart], next_token: str | None) -> dict[str, Any]:
    return {"carts": [cart_summary(cart) for cart in carts], "nextToken": next_token}
