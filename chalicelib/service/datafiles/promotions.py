"""The promotions file: checked whole before anything loads
(tools/data/load_promotions.py)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from chalicelib.domain.clock import parse_timestamp
from chalicelib.domain.identifiers import PRODUCT_ID, PRODUCT_ID_RULE
from chalicelib.domain.money import is_supported_currency
from chalicelib.domain.promotions import (
    AMOUNT_OFF_CART,
    DISCOUNT_CODE,
    DISCOUNT_CODE_RULE,
    KINDS,
    PERCENT_OFF_PRODUCTS,
    Promotion,
)
from chalicelib.service.datafiles.values import amount, decimal

MAX_TITLE_LENGTH = 200

_REQUIRED = {"promotionId", "title", "kind", "value"}
_OPTIONAL = {
    "code",
    "currency",
    "productIds",
    "minSubtotal",
    "startsAt",
    "endsAt",
    "stackable",
    "usageLimit",
    "usageLimitPerCustomer",
}


def parse_promotions(document: Any) -> list[Promotion]:
    """Validate a promotions file's JSON: an array of promotions as the contract lists them.

    Raises ValueError naming the first bad entry, so a broken file loads nothing.
    """
    if not isinstance(document, list):
        raise ValueError("a promotions file holds a JSON array of promotions")
    promotions: dict[str, Promotion] = {}
    codes: set[str] = set()
    for index, entry in enumerate(document):
        where = f"entry {index}"
        promotion = _parse_entry(entry, where)
        if promotion.promotion_id in promotions:
            raise ValueError(f"{where}: promotionId {promotion.promotion_id} appears twice")
        if promotion.code is not None and promotion.code in codes:
            raise ValueError(f"{where}: code {promotion.code} appears twice (codes ignore case)")
        promotions[promotion.promotion_id] = promotion
        if promotion.code is not None:
            codes.add(promotion.code)
    return list(promotions.values())


def _parse_entry(entry: Any, where: str) -> Promotion:
    if not isinstance(entry, dict) or not _REQUIRED <= set(entry) <= _REQUIRED | _OPTIONAL:
        raise ValueError(
            f"{where}: needs promotionId, title, kind and value, and may have "
            + ", ".join(sorted(_OPTIONAL))
        )
    promotion_id, title, kind = entry["promotionId"], entry["title"], entry["kind"]
    if not (isinstance(promotion_id, str) and PRODUCT_ID.fullmatch(promotion_id)):
        raise ValueError(f"{where}: promotionId {PRODUCT_ID_RULE}")
    if not (isinstance(title, str) and 0 < len(title.strip()) <= MAX_TITLE_LENGTH):
        raise ValueError(f"{where}: title must be a non-blank string of at most 200 characters")
    if kind not in KINDS:
        raise ValueError(f"{where}: kind must be one of {', '.join(KINDS)}")
    code = entry.get("code")
    if code is not None and not (isinstance(code, str) and DISCOUNT_CODE.fullmatch(code)):
        raise ValueError(f"{where}: code {DISCOUNT_CODE_RULE}")
    currency = entry.get("currency")
    if currency is not None and not (isinstance(currency, str) and is_supported_currency(currency)):
        raise ValueError(f"{where}: currency {currency!r} is not a supported ISO 4217 code")
    needs_currency = kind == AMOUNT_OFF_CART or "minSubtotal" in entry
    if needs_currency and currency is None:
        raise ValueError(f"{where}: an amount off or a minSubtotal needs a currency")
    if kind == AMOUNT_OFF_CART:
        value = amount(entry["value"], currency, f"{where}: value")
        if value == 0:
            raise ValueError(f"{where}: value must be more than 0")
    else:
        value = _percent(entry["value"], f"{where}: value")
    product_ids = entry.get("productIds")
    if (product_ids is not None) != (kind == PERCENT_OFF_PRODUCTS):
        raise ValueError(f"{where}: productIds is for (and needed by) {PERCENT_OFF_PRODUCTS}")
    if product_ids is not None and not (
        isinstance(product_ids, list)
        and product_ids
        and all(isinstance(p, str) and PRODUCT_ID.fullmatch(p) for p in product_ids)
    ):
        raise ValueError(f"{where}: productIds must be a non-empty array of product ids")
    starts_at = _moment(entry.get("startsAt"), f"{where}: startsAt")
    ends_at = _moment(entry.get("endsAt"), f"{where}: endsAt")
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise ValueError(f"{where}: endsAt must be after startsAt")
    stackable = entry.get("stackable", True)
    if not isinstance(stackable, bool):
        raise ValueError(f"{where}: stackable must be true or false")
    limits = [_limit(entry.get(name), f"{where}: {name}") for name in _LIMITS]
    if code is None and any(limit is not None for limit in limits):
        raise ValueError(
            f"{where}: a usage limit needs a code (an automatic promotion that runs out"
            " would vanish from carts that showed it)"
        )
    return Promotion(
        promotion_id=promotion_id,
        title=title,
        kind=kind,
        value=value,
        code=code.upper() if code is not None else None,
        currency=currency,
        product_ids=frozenset(product_ids or ()),
        min_subtotal=(
            amount(entry["minSubtotal"], currency, f"{where}: minSubtotal")
            if "minSubtotal" in entry and currency is not None
            else None
        ),
        starts_at=starts_at,
        ends_at=ends_at,
        stackable=stackable,
        usage_limit=limits[0],
        usage_limit_per_customer=limits[1],
    )


_LIMITS = ("usageLimit", "usageLimitPerCustomer")


def _percent(text: Any, what: str) -> Decimal:
    percent = decimal(text)
    if percent is None or not 0 < percent <= 100 or percent != percent.quantize(Decimal("0.01")):
        raise ValueError(f'{what} must be a percentage string like "10" or "12.5" (0 to 100)')
    return percent


def _moment(text: Any, what: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = parse_timestamp(text) if isinstance(text, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValueError(f'{what} must be a UTC timestamp like "2026-12-01T00:00:00Z"')
    return moment


def _limit(value: Any, what: str) -> int | None:
    if value is not None and not (type(value) is int and value >= 1):
        raise ValueError(f"{what} must be an integer of at least 1")
    return value
