"""openapi.yaml describes exactly the app's routes, codes and input rules."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from app import app
from chalicelib.domain.errors import REASONS, InvalidInput
from chalicelib.domain.money import MINOR_DIGITS
from chalicelib.edge import parsing as validation
from chalicelib.edge.problems import CODE_FOR_STATUS, STATUS_AND_CODE
from tests.openapi import document

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


def test_the_document_and_the_app_have_the_same_routes() -> None:
    documented = {
        (path, method.upper())
        for path, operations in document()["paths"].items()
        for method in operations
        if method in HTTP_METHODS
    }
    served = {(path, method) for path, methods in app.routes.items() for method in methods}
    assert documented == served


def test_operation_ids_are_the_view_names() -> None:
    for path, operations in document()["paths"].items():
        for method, operation in operations.items():
            if method in HTTP_METHODS:
                view = app.routes[path][method.upper()].view_function
                assert operation["operationId"] == view.__name__


def test_every_error_code_is_documented() -> None:
    documented = set(document()["components"]["schemas"]["Problem"]["properties"]["code"]["enum"])
    codes = {code for _, code in STATUS_AND_CODE.values()} | set(CODE_FOR_STATUS.values())
    assert codes | {"INTERNAL_ERROR"} == documented


def accepted(check: Callable[[str], object], value: str) -> bool:
    try:
        check(value)
    except InvalidInput:
        return False
    return True


def documented_pattern(schema: dict[str, str]) -> re.Pattern[str]:
    return re.compile(schema["pattern"])


@pytest.mark.parametrize(
    "sample",
    [
        "0b6f1c9e-3f0a-4c55-9d9b-6a3f5f1d2e7a",
        "0B6F1C9E-3F0A-4C55-9D9B-6A3F5F1D2E7A",
        "0b6f1c9e-3f0a-1c55-9d9b-6a3f5f1d2e7a",
        "0b6f1c9e3f0a4c559d9b6a3f5f1d2e7a",
        "x",
    ],
)
def test_the_documented_cart_id_rule_is_the_enforced_one(sample: str) -> None:
    pattern = documented_pattern(document()["components"]["parameters"]["cartId"]["schema"])
    assert bool(pattern.search(sample)) == accepted(validation.cart_id, sample)


@pytest.mark.parametrize("sample", ["SKU-1", "a.b_c-D9", "x" * 64, "x" * 65, "", "a b", "a/b"])
def test_the_documented_product_id_rule_is_the_enforced_one(sample: str) -> None:
    pattern = documented_pattern(document()["components"]["schemas"]["ProductId"])
    assert bool(pattern.search(sample)) == accepted(validation.product_id, sample)


@pytest.mark.parametrize("sample", ["customer-42", "a@b.c:d+e_f", "x" * 128, "x" * 129, "", "a b"])
def test_the_documented_customer_id_rule_is_the_enforced_one(sample: str) -> None:
    schema = document()["components"]["schemas"]["CustomerId"]
    assert bool(documented_pattern(schema).search(sample)) == accepted(
        lambda value: validation.create_cart({"customerId": value}), sample
    )


def test_the_documented_currencies_are_the_supported_ones() -> None:
    assert document()["components"]["schemas"]["Currency"]["enum"] == sorted(MINOR_DIGITS)


def storefront_table(name: str) -> set[str]:
    """The keys of one `const NAME = {...};` table of the demo storefront's script."""
    script = (Path(__file__).parents[2] / "storefront" / "app.js").read_text()
    table = script.split(f"const {name} = {{", 1)[1].split("\n};", 1)[0]
    return set(re.findall(r"^  ([A-Z_]+): \"", table, flags=re.MULTILINE))


def test_the_demo_storefront_explains_every_error_code() -> None:
    documented = set(document()["components"]["schemas"]["Problem"]["properties"]["code"]["enum"])
    assert storefront_table("MESSAGES") == documented


def test_the_demo_storefront_explains_every_reason_a_code_is_refused() -> None:
    reasons = document()["components"]["schemas"]["Problem"]["properties"]["reason"]["enum"]
    assert storefront_table("REASONS") == set(reasons)


def test_every_reason_a_code_is_refused_for_is_documented() -> None:
    reasons = document()["components"]["schemas"]["Problem"]["properties"]["reason"]["enum"]
    assert set(REASONS) == set(reasons)
