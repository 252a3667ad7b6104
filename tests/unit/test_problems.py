"""Every domain error has one status and one stable code, as the contract lists them."""

import inspect
import json

from chalicelib.domain import errors
from chalicelib.edge.problems import STATUS_AND_CODE, problem_for, problem_for_status


def test_every_service_error_has_a_status_and_code() -> None:
    error_classes = {
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.CartServiceError) and cls is not errors.CartServiceError
    }
    assert error_classes == set(STATUS_AND_CODE)


def test_codes_match_the_contract() -> None:
    statuses: dict[str, set[int]] = {}
    for status, code in STATUS_AND_CODE.values():
        statuses.setdefault(code, set()).add(status)
    assert statuses == {
        "INVALID_JSON": {400},
        "VALIDATION_ERROR": {400},
        "PRODUCT_NOT_FOUND": {400},
        "CURRENCY_MISMATCH": {400},
        "QUANTITY_LIMIT": {400},
        "LINE_LIMIT": {400},
        "CART_TOO_LARGE": {400},
        "TOO_MANY_ATTEMPTS": {429},
        "CART_NOT_FOUND": {404},
        "ITEM_NOT_FOUND": {404},
        "CONFLICT": {409},
        "CART_NOT_ACTIVE": {409},
        "PRODUCTS_UNAVAILABLE": {400},
        "CART_EMPTY": {400},
        "IDEMPOTENCY_KEY_REUSED": {409},
        "PRECONDITION_FAILED": {412},
        "SERVICE_UNAVAILABLE": {503},
        "UNAUTHORIZED": {401},
        "FORBIDDEN": {403},
        "CART_LIMIT": {409},
        "PAYLOAD_TOO_LARGE": {413},
        "UNSUPPORTED_MEDIA_TYPE": {415},
        "INSUFFICIENT_STOCK": {409},
        "CHECKOUT_TOO_LARGE": {409},
        "STOCK_NOT_COUNTED": {409},
        "PRICE_CHANGED": {409},
        "DISCOUNT_CODE_INVALID": {400, 409},  # 409: used up by others, at checkout
        "DISCOUNT_CODE_NOT_FOUND": {404},
        "UNDELIVERABLE": {409},
        "DELIVERY_OPTION_UNAVAILABLE": {400},
    }


def test_validation_problems_list_their_fields() -> None:
    body = problem_for(errors.InvalidInput([errors.FieldError("quantity", "must be ...")]))
    assert body["errors"] == [{"field": "quantity", "message": "must be ..."}]
    assert (body["type"], body["title"], body["status"]) == ("about:blank", "Bad Request", 400)


def test_an_internal_error_never_repeats_what_went_wrong() -> None:
    body = problem_for_status(500, "Traceback ... botocore ResourceNotFoundException")
    assert body["code"] == "INTERNAL_ERROR"
    assert "Traceback" not in body["detail"]
    assert "botocore" not in body["detail"]


def test_an_error_answer_stays_small_whatever_the_request_held() -> None:
    refused = [errors.FieldError(f"unknown-{n}" * 20, "is not a known field") for n in range(10000)]
    body = problem_for(errors.InvalidInput(refused))
    assert len(body["errors"]) == 10
    assert all(len(error["field"]) <= 100 for error in body["errors"])
    assert len(json.dumps(body)) < 4096
