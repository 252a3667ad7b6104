from decimal import Decimal

import pytest

from chalicelib.domain.money import Money, has_exact_minor_digits


def test_formats_with_the_currencys_minor_digits() -> None:
    assert Money(Decimal("19.9"), "USD").format() == "19.90"
    assert Money(Decimal("1200"), "JPY").format() == "1200"
    assert Money(Decimal("1.5"), "KWD").format() == "1.500"
    assert Money.zero("USD").format() == "0.00"


def test_large_amounts_never_use_exponent_notation() -> None:
    assert Money(Decimal("1E+3"), "USD").format() == "1000.00"
    assert Money(Decimal("99999.99"), "USD").times(999).format() == "99899990.01"


def test_addition_and_multiplication_are_exact() -> None:
    total = Money(Decimal("0.10"), "USD") + Money(Decimal("0.20"), "USD")
    assert total == Money(Decimal("0.30"), "USD")
    assert Money(Decimal("19.99"), "USD").times(3).format() == "59.97"


def test_adding_two_currencies_is_refused() -> None:
    with pytest.raises(ValueError):
        Money(Decimal("1.00"), "USD") + Money(Decimal("1.00"), "EUR")


@pytest.mark.parametrize(
    ("amount", "currency", "exact"),
    [
        ("19.99", "USD", True),
        ("19.9", "USD", False),
        ("19", "USD", False),
        ("1200", "JPY", True),
        ("1200.0", "JPY", False),
        ("1.000", "BHD", True),
    ],
)
def test_exact_minor_digits(amount: str, currency: str, exact: bool) -> None:
    assert has_exact_minor_digits(Decimal(amount), currency) is exact
