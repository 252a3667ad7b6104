"""Discount arithmetic, exact to the minor unit: what a shopper sees on each line and in all."""

from decimal import Decimal

from chalicelib.domain.discounts import discounts_for, spread
from chalicelib.domain.money import Money
from chalicelib.domain.promotions import (
    AMOUNT_OFF_CART,
    PERCENT_OFF_CART,
    PERCENT_OFF_PRODUCTS,
    Promotion,
)


def lines(currency: str, *totals: tuple[str, str]) -> list[tuple[str, Money]]:
    return [(pid, Money(Decimal(total), currency)) for pid, total in totals]


def percent_off(pid: str, value: str, stackable: bool = True) -> Promotion:
    return Promotion(pid, f"{value}% off", PERCENT_OFF_CART, Decimal(value), stackable=stackable)


def amounts(discounts: dict[str, Money]) -> dict[str, str]:
    return {pid: money.format() for pid, money in discounts.items()}


def test_a_cart_discount_is_spread_so_the_lines_add_up_to_it_exactly() -> None:
    three = lines("USD", ("A", "10.00"), ("B", "10.00"), ("C", "10.00"))
    off = Promotion("ten", "10.00 off", AMOUNT_OFF_CART, Decimal("10.00"), currency="USD")
    discounts = discounts_for(three, [off], "USD")
    assert discounts.total.format() == "10.00"
    # 1000 cents over three equal lines: 334 + 333 + 333, the odd cent to the first line
    assert amounts(discounts.lines) == {"A": "3.34", "B": "3.33", "C": "3.33"}
    assert discounts.amount_due.format() == "20.00"


def test_a_percentage_is_rounded_half_up_to_the_minor_unit() -> None:
    discounts = discounts_for(lines("USD", ("A", "0.25")), [percent_off("p", "10")], "USD")
    assert discounts.total.format() == "0.03"  # 2.5 cents rounds up
    assert amounts(discounts.lines) == {"A": "0.03"}


def test_product_discounts_come_first_then_cart_discounts_of_what_is_left() -> None:
    cart = lines("USD", ("GRINDER", "50.00"), ("BEANS", "50.00"))
    grinder = Promotion(
        "g",
        "20% off grinders",
        PERCENT_OFF_PRODUCTS,
        Decimal("20"),
        product_ids=frozenset({"GRINDER"}),
    )
    discounts = discounts_for(cart, [percent_off("c", "10"), grinder], "USD")
    # 10.00 off the grinder, then 10% of the 90.00 left: 9.00, spread 40 : 50
    assert [(d.promotion_id, d.amount.format()) for d in discounts.applied] == [
        ("g", "10.00"),
        ("c", "9.00"),
    ]
    assert amounts(discounts.lines) == {"GRINDER": "14.00", "BEANS": "5.00"}
    assert discounts.amount_due.format() == "81.00"


def test_no_total_goes_below_zero() -> None:
    cart = lines("USD", ("A", "3.00"))
    big = Promotion("big", "5.00 off", AMOUNT_OFF_CART, Decimal("5.00"), currency="USD")
    discounts = discounts_for(cart, [big, percent_off("all", "100")], "USD")
    assert discounts.total.format() == "3.00"
    assert discounts.amount_due.format() == "0.00"
    assert [d.promotion_id for d in discounts.applied] == ["all"]  # nothing left for "big"


def test_of_non_stackable_promotions_the_one_that_saves_the_most_applies_alone() -> None:
    cart = lines("USD", ("A", "100.00"))
    candidates = [
        percent_off("stack-5", "5"),
        percent_off("stack-10", "10"),
        percent_off("alone-12", "12", stackable=False),
        percent_off("alone-20", "20", stackable=False),
    ]
    discounts = discounts_for(cart, candidates, "USD")
    assert [d.promotion_id for d in discounts.applied] == ["alone-20"]
    assert discounts.total.format() == "20.00"
    # when the stackable ones together save more, they apply and no non-stackable one does
    discounts = discounts_for(cart, candidates[:3], "USD")
    assert [d.promotion_id for d in discounts.applied] == ["stack-10", "stack-5"]
    assert discounts.total.format() == "15.00"


def test_currencies_without_and_with_three_minor_digits() -> None:
    yen = discounts_for(lines("JPY", ("A", "1000"), ("B", "333")), [percent_off("p", "15")], "JPY")
    assert yen.total.format() == "200"  # 15% of 1333 = 199.95, rounded half up
    assert sum(m.amount for m in yen.lines.values()) == Decimal(200)
    dinar = discounts_for(lines("KWD", ("A", "1.005")), [percent_off("p", "50")], "KWD")
    assert dinar.total.format() == "0.503"  # 502.5 fils rounds up
    assert dinar.amount_due.format() == "0.502"


def test_spread_gives_leftover_units_to_the_largest_remainders() -> None:
    assert spread(10, [("a", 1), ("b", 1), ("c", 1)]) == {"a": 4, "b": 3, "c": 3}
    assert spread(5, [("a", 7), ("b", 2), ("c", 1)]) == {"a": 4, "b": 1, "c": 0}
    assert spread(3, [("a", 3), ("b", 0)]) == {"a": 3, "b": 0}
