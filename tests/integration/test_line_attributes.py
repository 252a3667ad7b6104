"""Line attributes: a line's options (gift wrap, engraving), set by an add or an update,
kept with the line, shown on it."""

from typing import Any

import pytest

from tests.integration.clients import Api


def lines(api: Api, cart: str) -> dict[str, Any]:
    view = api.call("GET", f"/carts/{cart}").json
    return {line["productId"]: line["attributes"] for line in view["items"]}


def test_an_add_sets_the_lines_attributes_and_an_add_without_them_keeps_them(api: Api) -> None:
    cart = api.new_cart()
    gift = {"giftWrap": "yes", "engraving": "For Ada, with love"}
    added = api.call(
        "POST", f"/carts/{cart}/items", {"productId": "MUG-CER", "quantity": 1, "attributes": gift}
    )
    assert added.status_code == 200
    assert added.json["items"][0]["attributes"] == gift
    api.call("POST", f"/carts/{cart}/items", {"productId": "MUG-CER", "quantity": 1})
    api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 1})
    assert lines(api, cart) == {"MUG-CER": gift, "ESP-1KG": {}}


def test_an_update_replaces_the_attributes_and_an_empty_object_clears_them(api: Api) -> None:
    cart = api.new_cart()
    body = {"productId": "MUG-CER", "quantity": 1, "attributes": {"giftWrap": "yes"}}
    api.call("POST", f"/carts/{cart}/items", body)
    path = f"/carts/{cart}/items/MUG-CER"
    api.call("PUT", path, {"quantity": 2, "attributes": {"engraving": "Ada"}})
    assert lines(api, cart) == {"MUG-CER": {"engraving": "Ada"}}
    api.call("PUT", path, {"quantity": 3})
    assert lines(api, cart) == {"MUG-CER": {"engraving": "Ada"}}
    api.call("POST", f"/carts/{cart}/items", {**body, "attributes": {}})
    assert lines(api, cart) == {"MUG-CER": {}}


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        ({f"k{n}": "v" for n in range(11)}, "attributes"),
        ({"gift wrap": "yes"}, "attributes"),
        ({"k" * 41: "v"}, "attributes"),
        ({"": "v"}, "attributes"),
        ({"note": "x" * 257}, "attributes.note"),
        ({"giftWrap": True}, "attributes.giftWrap"),
        (["giftWrap"], "attributes"),
    ],
)
def test_attributes_out_of_bounds_are_refused_naming_the_field(
    api: Api, attributes: Any, field: str
) -> None:
    cart = api.new_cart()
    body = {"productId": "MUG-CER", "quantity": 1, "attributes": attributes}
    refused = api.call("POST", f"/carts/{cart}/items", body)
    assert (refused.status_code, refused.json["code"]) == (400, "VALIDATION_ERROR")
    assert [error["field"] for error in refused.json["errors"]] == [field]
    assert lines(api, cart) == {}


def test_ten_attributes_of_256_characters_are_accepted(api: Api) -> None:
    cart = api.new_cart()
    attributes = {f"option.{n}_x-{n}": "v" * 256 for n in range(10)}
    body = {"productId": "MUG-CER", "quantity": 1, "attributes": attributes}
    assert api.call("POST", f"/carts/{cart}/items", body).status_code == 200
    assert lines(api, cart) == {"MUG-CER": attributes}


def test_a_merge_keeps_the_targets_attributes_and_brings_the_sources_new_lines(
    api: Api,
) -> None:
    target, source = api.new_cart(), api.new_cart()
    api.call(
        "POST",
        f"/carts/{target}/items",
        {"productId": "MUG-CER", "quantity": 1, "attributes": {"giftWrap": "yes"}},
    )
    for product, attributes in (("MUG-CER", {"giftWrap": "no"}), ("ESP-1KG", {"grind": "fine"})):
        body = {"productId": product, "quantity": 1, "attributes": attributes}
        api.call("POST", f"/carts/{source}/items", body)
    assert api.call("POST", f"/carts/{target}/merge", {"sourceCartId": source}).status_code == 200
    assert lines(api, target) == {"MUG-CER": {"giftWrap": "yes"}, "ESP-1KG": {"grind": "fine"}}
