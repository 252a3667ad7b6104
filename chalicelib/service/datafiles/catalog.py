"""The catalog file: checked whole before anything loads (tools/data/load_catalog.py)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from chalicelib.domain.holds import MAX_HOLD_MINUTES
from chalicelib.domain.identifiers import PRODUCT_ID, PRODUCT_ID_RULE
from chalicelib.domain.money import Money, has_exact_minor_digits, is_supported_currency
from chalicelib.domain.products import Product
from chalicelib.domain.stock import MAX_SHARDS, spread
from chalicelib.domain.tax import TAX_CATEGORY, TAX_CATEGORY_RULE

MAX_NAME_LENGTH = 200

_OPTIONAL = {"stock", "stockShards", "maxPerCart", "taxCategory", "holdMinutes"}


def parse_catalog(document: Any) -> list[Product]:
    """Validate a catalog file's JSON: an array of {productId, name, unitPrice, currency}
    with, optionally, `stock` (an integer >= 0; absent: unlimited), `stockShards` (1-20, with
    a stock: the shards its units are spread over; absent: 1), `maxPerCart` (1-999) and
    `taxCategory` (the tax rates' category it is taxed as; absent: the standard rate) and
    `holdMinutes` (with a stock: how long a cart holds the units it adds, more than 0 and
    at most 1440 minutes; absent: no holds).

    Raises ValueError naming the first bad entry, so a broken file loads nothing.
    """
    if not isinstance(document, list):
        raise ValueError("a catalog file holds a JSON array of products")
    products: dict[str, Product] = {}
    for index, entry in enumerate(document):
        product = _parse_entry(entry, f"entry {index}")
        if product.product_id in products:
            raise ValueError(f"entry {index}: productId {product.product_id} appears twice")
        products[product.product_id] = product
    return list(products.values())


def _parse_entry(entry: Any, where: str) -> Product:
    required = {"productId", "name", "unitPrice", "currency"}
    if not isinstance(entry, dict) or not required <= set(entry) <= required | _OPTIONAL:
        raise ValueError(
            f"{where}: needs productId, name, unitPrice and currency, and may have stock,"
            " stockShards, maxPerCart, taxCategory and holdMinutes"
        )
    stock, max_per_cart = entry.get("stock"), entry.get("maxPerCart")
    if stock is not None and not (type(stock) is int and stock >= 0):
        raise ValueError(f"{where}: stock must be an integer of at least 0")
    shards = entry.get("stockShards", 1)
    if not (type(shards) is int and 1 <= shards <= MAX_SHARDS) or (
        "stockShards" in entry and stock is None
    ):
        raise ValueError(f"{where}: stockShards must be an integer from 1 to 20, with a stock")
    if max_per_cart is not None and not (type(max_per_cart) is int and 1 <= max_per_cart <= 999):
        raise ValueError(f"{where}: maxPerCart must be an integer from 1 to 999")
    hold_minutes = entry.get("holdMinutes")
    if hold_minutes is not None and not (
        type(hold_minutes) in (int, float)
        and 0 < hold_minutes <= MAX_HOLD_MINUTES
        and stock is not None
    ):
        raise ValueError(
            f"{where}: holdMinutes must be a number over 0 and at most 1440, with a stock"
        )
    tax_category = entry.get("taxCategory")
    if tax_category is not None and not (
        isinstance(tax_category, str) and TAX_CATEGORY.fullmatch(tax_category)
    ):
        raise ValueError(f"{where}: taxCategory {TAX_CATEGORY_RULE}")
    product_id, name, price, currency = (
        entry["productId"],
        entry["name"],
        entry["unitPrice"],
        entry["currency"],
    )
    if not (isinstance(product_id, str) and PRODUCT_ID.fullmatch(product_id)):
        raise ValueError(f"{where}: productId {PRODUCT_ID_RULE}")
    if not (isinstance(name, str) and 0 < len(name.strip()) <= MAX_NAME_LENGTH):
        raise ValueError(f"{where}: name must be a non-blank string of at most 200 characters")
    if not (isinstance(currency, str) and is_supported_currency(currency)):
        raise ValueError(f"{where}: currency {currency!r} is not a supported ISO 4217 code")
    try:
        amount = Decimal(price) if isinstance(price, str) else None
    except InvalidOperation:
        amount = None
    if (
        amount is None
        or not amount.is_finite()
        or amount < 0
        or not has_exact_minor_digits(amount, currency)
    ):
        raise ValueError(
            f'{where}: unitPrice must be a string like "19.99" with {currency}\'s minor digits'
        )
    levels = None if stock is None else spread(stock, shards)
    price_of = Money(amount, currency)
    return Product(product_id, name, price_of, levels, max_per_cart, tax_category, hold_minutes)
