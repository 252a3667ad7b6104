from typing import Any

import pytest

from chalicelib.domain.commands import CreateCart
from chalicelib.domain.errors import InvalidInput, InvalidJson
from chalicelib.edge import documents
from chalicelib.edge import parsing as validation


def fields(error: InvalidInput) -> dict[str, str]:
    return {e.field: e.message for e in error.errors}


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'"text"',
        b"42",
        b"null",
        b'{"a": NaN}',
        b"\xff\xfe",
        b"[" * 100_000,
    ],
)
def test_bodies_that_are_not_a_json_object_are_invalid_json(raw: bytes) -> None:
    with pytest.raises(InvalidJson):
        documents.parse_json_object(raw)


def test_an_integer_of_thousands_of_digits_is_a_quantity_out_of_range_not_a_language_limit() -> (
    None
):
    body = documents.parse_json_object(b'{"productId": "A", "quantity": 1' + b"0" * 5000 + b"}")
    with pytest.raises(InvalidInput) as caught:
        validation.add_item(body)
    assert fields(caught.value) == {"quantity": "must be an integer from 1 to 999"}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"note": "\\ud800x"}', "note"),
        (b'{"attributes": {"gift": "\\udfff"}}', "attributes.gift"),
        (
            b'{"operations": [{"op": "add", "attributes": {"a": "ok", "b": "\\ud83d"}}]}',
            "operations[0].attributes.b",
        ),
        (b'{"sourceCartToken": "abc\\udc00"}', "sourceCartToken"),
    ],
)
def test_a_lone_surrogate_anywhere_is_a_validation_error_naming_its_field(
    raw: bytes, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        documents.parse_json_object(raw)
    assert list(fields(caught.value)) == [field]


def test_a_key_that_is_a_lone_surrogate_is_named_without_it() -> None:
    with pytest.raises(InvalidInput) as caught:
        documents.parse_json_object(b'{"attributes": {"\\ud800": "x"}}')
    assert list(fields(caught.value)) == ["attributes.\ufffd"]


def test_astral_characters_written_as_surrogate_pairs_are_valid_text() -> None:
    body = documents.parse_json_object(b'{"note": "\\ud83d\\ude00 and \xf0\x9f\x98\x80"}')
    assert body == {"note": "\U0001f600 and \U0001f600"}


def test_a_duplicate_key_is_a_validation_error_naming_it() -> None:
    with pytest.raises(InvalidInput) as caught:
        documents.parse_json_object(b'{"quantity": 1, "quantity": 5}')
    assert fields(caught.value) == {"quantity": "must appear only once"}


@pytest.mark.parametrize("quantity", [0, 1000, -1, 2.0, "2", True, None, 1e3, [1], {"n": 1}])
def test_add_item_quantity_must_be_an_integer_from_1_to_999(quantity: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        validation.add_item({"productId": "SKU-1", "quantity": quantity})
    assert fields(caught.value) == {"quantity": "must be an integer from 1 to 999"}


def test_update_allows_zero() -> None:
    assert validation.update_item({"quantity": 0}).quantity == 0


@pytest.mark.parametrize(
    "product_id", ["", "a" * 65, "SKU 1", "SKU/1", "\uff33\uff2b\uff35", 12, None]
)
def test_product_id_pattern(product_id: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        validation.add_item({"productId": product_id, "quantity": 1})
    assert list(fields(caught.value)) == ["productId"]


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        validation.add_item({"sku": "X"})
    assert fields(caught.value) == {
        "sku": "is not a known field",
        "productId": "is required",
        "quantity": "is required",
    }


def test_create_cart_defaults_to_usd() -> None:
    assert validation.create_cart({"customerId": "c-1"}) == CreateCart("c-1", "USD")


@pytest.mark.parametrize("customer_id", ["", "x" * 129, "a b", "a/b", "ü", None, 5])
def test_customer_id_pattern(customer_id: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        validation.create_cart({"customerId": customer_id})
    assert list(fields(caught.value)) == ["customerId"]


def test_customer_id_allows_the_documented_characters() -> None:
    customer_id = "Az09._-:@+" + "x" * 118
    assert validation.create_cart({"customerId": customer_id}).customer_id == customer_id


@pytest.mark.parametrize("currency", ["usd", "XXX", "", None, 840])
def test_currency_must_be_supported(currency: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        validation.create_cart({"customerId": "c", "currency": currency})
    assert list(fields(caught.value)) == ["currency"]


@pytest.mark.parametrize(
    "cart_id",
    [
        "0b6f1c9e-3f0a-4c55-9d9b-6a3f5f1d2e7A",
        "0b6f1c9e-3f0a-1c55-9d9b-6a3f5f1d2e7a",
        "0b6f1c9e3f0a4c559d9b6a3f5f1d2e7a",
        "0b6f1c9e-3f0a-4c55-cd9b-6a3f5f1d2e7a",
        "x",
        "0b6f1c9e-3f0a-4c55-9d9b-6a3f5f1d2e7a\n",
    ],
)
def test_cart_id_must_be_a_lowercase_uuid4(cart_id: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validation.cart_id(cart_id)
    assert list(fields(caught.value)) == ["cartId"]


def test_a_canonical_uuid4_is_a_cart_id() -> None:
    assert validation.cart_id("0b6f1c9e-3f0a-4c55-9d9b-6a3f5f1d2e7a")
