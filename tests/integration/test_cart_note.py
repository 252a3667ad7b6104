"""A cart's note and attributes: PATCH /carts/{cartId}, a change like any other."""

from typing import Any

import pytest

from tests.integration.clients import Api


def details(api: Api, cart: str) -> tuple[Any, Any, str]:
    reply = api.call("GET", f"/carts/{cart}")
    return reply.json["note"], reply.json["attributes"], reply.headers["ETag"]


def test_a_new_cart_has_no_note_and_no_attributes(api: Api) -> None:
    cart = api.new_cart()
    assert details(api, cart) == (None, {}, '"1"')


def test_patch_sets_each_part_it_names_and_leaves_the_other(api: Api) -> None:
    cart = api.new_cart()
    api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 1})
    noted = api.call("PATCH", f"/carts/{cart}", {"note": "Leave it by the door"})
    assert (noted.status_code, noted.headers["ETag"]) == (200, '"3"')
    assert noted.json["note"] == "Leave it by the door"
    assert noted.json["totalAmount"] == "19.99"  # the whole cart, priced
    delivery = {"deliveryDate": "2026-12-24", "giftMessage": "Happy holidays"}
    api.call("PATCH", f"/carts/{cart}", {"attributes": delivery})
    assert details(api, cart) == ("Leave it by the door", delivery, '"4"')
    api.call("PATCH", f"/carts/{cart}", {"note": "", "attributes": {"deliveryDate": "2026-12-23"}})
    assert details(api, cart) == (None, {"deliveryDate": "2026-12-23"}, '"5"')


def test_patch_honours_if_match_and_refuses_a_checked_out_cart(api: Api) -> None:
    cart = api.new_cart()
    stale = api.call("PATCH", f"/carts/{cart}", {"note": "x"}, {"If-Match": '"7"'})
    assert (stale.status_code, stale.json["code"]) == (412, "PRECONDITION_FAILED")
    api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 1})
    api.call("POST", f"/carts/{cart}/checkout")
    frozen = api.call("PATCH", f"/carts/{cart}", {"note": "too late"})
    assert (frozen.status_code, frozen.json["code"]) == (409, "CART_NOT_ACTIVE")
    assert details(api, cart)[0] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "note"),
        ({"note": "x" * 501}, "note"),
        ({"note": None}, "note"),
        ({"attributes": {f"k{n}": "v" for n in range(21)}}, "attributes"),
        ({"attributes": {"gift message": "v"}}, "attributes"),
        ({"attributes": {"giftMessage": 1}}, "attributes.giftMessage"),
        ({"note": "x", "coupon": "XMAS"}, "coupon"),
    ],
)
def test_patch_refuses_what_is_out_of_bounds_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    cart = api.new_cart()
    refused = api.call("PATCH", f"/carts/{cart}", body)
    assert (refused.status_code, refused.json["code"]) == (400, "VALIDATION_ERROR")
    assert [error["field"] for error in refused.json["errors"]] == [field]
    assert details(api, cart) == (None, {}, '"1"')


def test_twenty_attributes_of_256_characters_and_a_note_of_500_are_accepted(api: Api) -> None:
    cart = api.new_cart()
    attributes = {f"a{n}": "v" * 256 for n in range(20)}
    assert (
        api.call(
            "PATCH", f"/carts/{cart}", {"note": "n" * 500, "attributes": attributes}
        ).status_code
        == 200
    )
    assert details(api, cart)[:2] == ("n" * 500, attributes)
