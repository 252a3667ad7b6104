"""The contract's JSON shapes for domain objects, shared by the REST routes and the functions."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.cart import Cart
from chalicelib.domain.clock import format_timestamp
from chalicelib.domain.discounts import Discounts
from chalicelib.domain.pricing import PricedCart, PricedLine
from chalicelib.domain.warnings import LineWarning


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
        "items": [_line_view(line, priced.discounts) for line in priced.lines],
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


def warning_view(warning: LineWarning) -> dict[str, Any]:
    """`{"code", "productId", ...}`: the prices of a PRICE_CHANGED, the stock of an
    INSUFFICIENT_STOCK."""
    view: dict[str, Any] = {"code": warning.code, "productId": warning.product_id}
    if warning.previous_unit_price is not None and warning.unit_price is not None:
        view["previousUnitPrice"] = warning.previous_unit_price.format()
        view["unitPrice"] = warning.unit_price.format()
    if warning.available is not None:
        view["available"] = warning.available
    return view


def _line_view(priced: PricedLine, discounts: Discounts) -> dict[str, Any]:
    line = priced.line
    discount = discounts.lines.get(line.product_id)
    return {
        "productId": line.product_id,
        "name": line.name,
        "quantity": line.quantity,
        "unitPrice": None if priced.unit_price is None else priced.unit_price.format(),
        "lineTotal": None if priced.line_total is None else priced.line_total.format(),
        "discountAmount": None if discount is None else discount.format(),
        "available": priced.available,
        "addedAt": format_timestamp(line.added_at),
        "attributes": line.attributes,
    }


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
