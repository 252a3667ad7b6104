"""Discount codes and promotions over the API and as functions, on moto, with the sample
promotions (data/promotions.sample.json) loaded."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.promotions import PERCENT_OFF_CART, Promotion
from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.dynamodb.promotions import DynamoPromotionRepository
from chalicelib.settings import Settings
from tests.integration.clients import Api, Functions
from tests.openapi import assert_matches
from tools.data.load_promotions import load_promotions
from tools.local.stack import SAMPLE_PROMOTIONS


def cart_of(api: Api, *lines: tuple[str, int], customer: str = "customer-42") -> str:
    cart = api.new_cart(customerId=customer)
    for product, quantity in lines:
        added = api.call(
            "POST", f"/carts/{cart}/items", {"productId": product, "quantity": quantity}
        )
        assert added.status_code == 200, added.json
    return cart


def enter(api: Api, cart: str, code: str) -> Any:
    return api.call("POST", f"/carts/{cart}/discount-codes", {"code": code})


def test_a_code_prices_the_cart_and_every_view_shows_the_discounts(api: Api) -> None:
    cart = cart_of(api, ("ESP-1KG", 2))  # 39.98
    entered = enter(api, cart, "welcome10")
    assert entered.status_code == 200, entered.json
    view = entered.json
    assert_matches("Cart", view)
    assert (view["subtotalAmount"], view["discountAmount"], view["totalAmount"]) == (
        "39.98",
        "4.00",  # 10% of 39.98 = 3.998, rounded half up
        "35.98",
    )
    assert view["discountCodes"] == ["WELCOME10"]
    assert view["items"][0]["discountAmount"] == "4.00"
    assert api.call("GET", f"/carts/{cart}").json == view
    removed = api.call("DELETE", f"/carts/{cart}/discount-codes/WELCOME10")
    assert (removed.json["discounts"], removed.json["totalAmount"]) == ([], "39.98")
    gone = api.call("DELETE", f"/carts/{cart}/discount-codes/WELCOME10")
    assert (gone.status_code, gone.json["code"]) == (404, "DISCOUNT_CODE_NOT_FOUND")


def test_a_refused_code_says_why_and_changes_nothing(api: Api) -> None:
    cart = cart_of(api, ("FILTER-100", 1))
    before = api.call("GET", f"/carts/{cart}")
    for code, reason in [("NOPE", "UNKNOWN"), ("WELCOME10", "MIN_SUBTOTAL")]:
        refused = enter(api, cart, code)
        assert refused.status_code == 400
        assert_matches("Problem", refused.json)
        assert (refused.json["code"], refused.json["reason"]) == ("DISCOUNT_CODE_INVALID", reason)
        assert refused.json["errors"][0]["field"] == "code"
    malformed = enter(api, cart, "no spaces please")
    assert (malformed.status_code, malformed.json["code"]) == (400, "VALIDATION_ERROR")
    assert malformed.json["errors"][0]["field"] == "code"
    after = api.call("GET", f"/carts/{cart}")
    assert (after.json, after.headers["ETag"]) == (before.json, before.headers["ETag"])


def test_guessing_codes_is_answered_429_after_ten_refusals_and_changes_nothing(
    api: Api,
) -> None:
    cart = cart_of(api, ("ESP-1KG", 2))
    for attempt in range(10):
        assert enter(api, cart, f"GUESS{attempt}").json["reason"] == "UNKNOWN"
    before = api.call("GET", f"/carts/{cart}")
    slowed = enter(api, cart, "WELCOME10")
    assert (slowed.status_code, slowed.json["code"]) == (429, "TOO_MANY_ATTEMPTS")
    assert_matches("Problem", slowed.json)
    assert 0 < int(slowed.headers["Retry-After"]) <= 3600
    after = api.call("GET", f"/carts/{cart}")
    assert (after.json, after.headers["ETag"]) == (before.json, before.headers["ETag"])
    assert enter(api, cart_of(api, ("ESP-1KG", 2)), "WELCOME10").status_code == 200


def test_a_sixth_code_is_too_many(api: Api, dynamodb: Any, settings: Settings) -> None:
    extra = [
        Promotion(f"extra-{n}", f"{n}% off", PERCENT_OFF_CART, Decimal(n), code=f"EXTRA{n}")
        for n in range(1, 7)
    ]
    promotions = DynamoPromotionRepository(
        dynamodb, settings.promotions_table, settings.promotion_uses_table
    )
    promotions.put_many(extra)
    cart = cart_of(api, ("ESP-1KG", 1))
    for n in range(1, 6):
        assert enter(api, cart, f"EXTRA{n}").status_code == 200
    refused = enter(api, cart, "EXTRA6")
    assert (refused.json["code"], refused.json["reason"]) == ("DISCOUNT_CODE_INVALID", "TOO_MANY")


def test_an_automatic_promotion_is_announced_then_applies_by_itself(api: Api) -> None:
    cart = cart_of(api, ("GEISHA-250G", 2))  # 78.00 of the 100.00 it needs
    approaching = api.call("GET", f"/carts/{cart}").json["approachingDiscounts"]
    assert approaching == [
        {
            "promotionId": "spend-100-save-5",
            "title": "5.00 off orders of 100.00 or more",
            "amountRemaining": "22.00",
        }
    ]
    view = api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 2}).json
    assert (view["subtotalAmount"], view["discountAmount"], view["totalAmount"]) == (
        "117.98",
        "5.00",
        "112.98",
    )
    assert [line["discountAmount"] for line in view["items"]] == ["3.31", "1.69"]
    assert view["approachingDiscounts"] == []


def test_checkout_freezes_the_discounts_and_a_limited_code_runs_out_exactly(
    functions: Functions, dynamodb: Any, settings: Settings
) -> None:
    catalog = DynamoProductRepository(dynamodb, settings.products_table, settings.stock_table)
    catalog.set_stock({"GRINDER-HAND": (10,)})  # the code runs out here, not the stock
    carts = []
    for n in range(6):
        cart = functions.invoke("create_cart", {"customerId": f"shopper-{n}"})["cartId"]
        functions.invoke("add_item", {"cartId": cart, "productId": "GRINDER-HAND", "quantity": 1})
        entered = functions.invoke("apply_discount_code", {"cartId": cart, "code": "GRINDER20"})
        assert entered["discountAmount"] == "9.80"
        carts.append(cart)
    for cart in carts[:5]:
        checked_out = functions.invoke("checkout", {"cartId": cart})
        assert (checked_out["status"], checked_out["totalAmount"]) == ("CHECKED_OUT", "39.20")
    refused = functions.invoke("checkout", {"cartId": carts[5]})
    assert (refused["status"], refused["code"], refused["reason"]) == (
        409,
        "DISCOUNT_CODE_INVALID",
        "USED_UP",
    )
    assert functions.invoke("get_cart", {"cartId": carts[5]})["status"] == "ACTIVE"
    late = functions.invoke("create_cart", {"customerId": "shopper-late"})["cartId"]
    functions.invoke("add_item", {"cartId": late, "productId": "GRINDER-HAND", "quantity": 1})
    too_late = functions.invoke("apply_discount_code", {"cartId": late, "code": "GRINDER20"})
    assert (too_late["code"], too_late["reason"]) == ("DISCOUNT_CODE_INVALID", "USED_UP")
    removed = functions.invoke("remove_discount_code", {"cartId": carts[5], "code": "GRINDER20"})
    assert functions.invoke("checkout", {"cartId": carts[5]})["totalAmount"] == "49.00"
    assert removed["discounts"] == []


def test_a_code_limited_per_customer_is_theirs_once(api: Api) -> None:
    first = cart_of(api, ("ESP-1KG", 1), customer="staff-1")
    assert enter(api, first, "STAFF30").json["totalAmount"] == "13.99"
    assert api.call("POST", f"/carts/{first}/checkout").json["totalAmount"] == "13.99"
    second = cart_of(api, ("ESP-1KG", 1), customer="staff-1")
    assert enter(api, second, "STAFF30").json["reason"] == "USED_UP"
    colleague = cart_of(api, ("ESP-1KG", 1), customer="staff-2")
    assert enter(api, colleague, "STAFF30").status_code == 200


def test_a_promotions_file_loads_whole_or_not_at_all_and_never_resets_uses(
    api: Api, dynamodb: Any, settings: Settings, tmp_path: Path
) -> None:
    repository = DynamoPromotionRepository(
        dynamodb, settings.promotions_table, settings.promotion_uses_table
    )
    good = {"promotionId": "new-1", "title": "1% off", "kind": "PERCENT_OFF_CART", "value": "1"}
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps([good, {**good, "promotionId": "new-2", "kind": "BOGO"}]))
    with pytest.raises(ValueError, match="entry 1"):
        load_promotions(dynamodb, settings, broken)
    assert "new-1" not in {p.promotion_id for p in repository.all()}

    cart = cart_of(api, ("GRINDER-HAND", 1), customer="early-bird")
    enter(api, cart, "GRINDER20")
    api.call("POST", f"/carts/{cart}/checkout")
    assert load_promotions(dynamodb, settings, SAMPLE_PROMOTIONS) == 4  # reloaded as it was
    assert repository.uses("grinder-launch", "early-bird") == (1, 0)
