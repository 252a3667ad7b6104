"""Values the shop's data files (promotions, delivery and tax rates) write as strings:
amounts of money and percentages, checked exactly before anything loads."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from chalicelib.domain.money import has_exact_minor_digits


def amount(text: Any, currency: str | None, what: str) -> Decimal:
    """An amount of at least 0 written with the currency's minor digits ("10.00")."""
    number = decimal(text)
    if (
        number is None
        or number < 0
        or currency is None
        or not has_exact_minor_digits(number, currency)
    ):
        raise ValueError(f'{what} must be a string like "10.00" with {currency}\'s minor digits')
    return number


def decimal(text: Any) -> Decimal | None:
    """A finite decimal written as a string; None for anything else."""
    try:
        number = Decimal(text) if isinstance(text, str) else None
    except InvalidOperation:
        return None
    return number if number is not None and number.is_finite() else None
