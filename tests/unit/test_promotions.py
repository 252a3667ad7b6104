"""When a promotion applies, and what a promotions file may hold."""

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.domain.errors import DiscountCodeInvalid, DiscountUsedUpAtCheckout
from chalicelib.domain.money import Money
from chalicelib.domain.promotions import PERCENT_OFF_CART, PERCENT_OFF_PRODUCTS, Promotion
from chalicelib.service.datafiles.promotions import parse_promotions
from tools.local.stack import SAMPLE_PROMOTIONS

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
WELCOME = Promotion(
    "welcome",
    "10% off 30.00 or more",
    PERCENT_OFF_CART,
    Decimal("10"),
    code="WELCOME10",
    currency="USD",
    min_subtotal=Decimal("30.00"),
    starts_at=datetime(2026, 11, 1, tzinfo=UTC),
    ends_at=datetime(2026, 12, 1, tzinfo=UTC),
)


def reason(promotion: Promotion, subtotal: str = "50.00", **cart: Any) -> str | None:
    details: dict[str, Any] = {
        "currency": "USD",
        "customer_id": "c-1",
        "product_ids": ["ESP-1KG"],
        "now": NOW,
    }
    details.update(cart)
    return promotion.reason_against(subtotal=Money(Decimal(subtotal), "USD"), **details)


def test_a_promotion_says_why_it_does_not_apply() -> None:
    assert reason(WELCOME) is None
    assert reason(WELCOME, now=datetime(2026, 10, 31, tzinfo=UTC)) == "NOT_STARTED"
    assert reason(WELCOME, now=datetime(2026, 12, 1, tzinfo=UTC)) == "EXPIRED"
    assert reason(WELCOME, currency="EUR") == "CURRENCY"
    assert reason(WELCOME, "29.99") == "MIN_SUBTOTAL"
    grinders = WELCOME._replace(kind=PERCENT_OFF_PRODUCTS, product_ids=frozenset({"GRINDER"}))
    assert reason(grinders) == "NOT_APPLICABLE"
    staff = WELCOME._replace(usage_limit_per_customer=1)
    assert reason(staff, customer_id=None) == "SIGN_IN_REQUIRED"


def test_uses_beyond_a_limit_are_refused_when_entered_and_at_checkout() -> None:
    limited = WELCOME._replace(usage_limit=5, usage_limit_per_customer=1)
    limited.check_uses(4, 0)
    with pytest.raises(DiscountCodeInvalid) as entered:
        limited.check_uses(5, 0)
    assert (entered.value.code, entered.value.reason) == ("WELCOME10", "USED_UP")
    with pytest.raises(DiscountUsedUpAtCheckout):
        limited.check_uses(0, 1, at_checkout=True)


def test_the_sample_promotions_load_and_hold_what_the_contract_lists() -> None:
    sample = parse_promotions(json.loads(SAMPLE_PROMOTIONS.read_text()))
    usd_percent_code = [
        p
        for p in sample
        if p.code and p.kind == PERCENT_OFF_CART and p.min_subtotal and not p.is_limited
    ]
    automatic = [p for p in sample if p.code is None and p.min_subtotal and not p.product_ids]
    limited = [
        p for p in sample if p.code and p.usage_limit is not None and 3 <= p.usage_limit <= 10
    ]
    assert usd_percent_code and automatic and limited
    assert all(p.stackable for p in (usd_percent_code[0], automatic[0], limited[0]))
    assert all(reason(p, "100.00", product_ids=["GRINDER-HAND"]) is None for p in sample)


GOOD = {"promotionId": "p1", "title": "10% off", "kind": "PERCENT_OFF_CART", "value": "10"}


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"kind": "BOGO"}, "kind must be one of"),
        ({"value": "0"}, "percentage"),
        ({"value": "100.001"}, "percentage"),
        ({"value": 10}, "percentage"),
        ({"kind": "AMOUNT_OFF_CART", "value": "5.00"}, "needs a currency"),
        ({"kind": "AMOUNT_OFF_CART", "value": "5.0", "currency": "USD"}, "minor digits"),
        ({"minSubtotal": "30.00"}, "needs a currency"),
        ({"kind": "PERCENT_OFF_PRODUCTS"}, "productIds"),
        ({"productIds": ["ESP-1KG"]}, "productIds"),
        ({"code": "no spaces"}, "code must be"),
        ({"startsAt": "2026-12-01T00:00:00Z", "endsAt": "2026-11-01T00:00:00Z"}, "after"),
        ({"endsAt": "tomorrow"}, "UTC timestamp"),
        ({"usageLimit": 5}, "needs a code"),
        ({"code": "X", "usageLimit": 0}, "at least 1"),
        ({"stackable": "yes"}, "true or false"),
        ({"colour": "red"}, "may have"),
    ],
)
def test_a_bad_promotion_is_refused_with_its_entry_named(
    change: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint) as refused:
        parse_promotions([GOOD, {**GOOD, "promotionId": "p2", **change}])
    assert str(refused.value).startswith("entry 1:")


def test_codes_are_unique_whatever_their_case() -> None:
    with pytest.raises(ValueError, match="code SAVE appears twice"):
        parse_promotions([{**GOOD, "code": "save"}, {**GOOD, "promotionId": "p2", "code": "SAVE"}])
    (parsed,) = parse_promotions([{**GOOD, "code": "save"}])
    assert parsed.code == "SAVE"
