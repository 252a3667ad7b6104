"""The one mapping from errors to HTTP status, stable code and problem+json body (RFC 9457)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from chalicelib import telemetry
from chalicelib.domain.errors import (
    CartBeingMerged,
    CartEmpty,
    CartLimitExceeded,
    CartNotActive,
    CartNotFound,
    CartServiceError,
    CartTooLarge,
    CheckoutTooLarge,
    ConcurrentUpdate,
    CurrencyMismatch,
    DeliveryOptionUnavailable,
    DiscountCodeInvalid,
    DiscountCodeNotFound,
    DiscountUsedUpAtCheckout,
    Forbidden,
    IdempotencyKeyReused,
    InsufficientStock,
    InvalidInput,
    InvalidJson,
    ItemNotFound,
    LineLimitExceeded,
    MergeIntoItself,
    PayloadTooLarge,
    PreconditionFailed,
    PriceChanged,
    ProductNotFound,
    ProductsUnavailable,
    QuantityLimitExceeded,
    RequestAlreadyApplied,
    StockMoved,
    StockNotCounted,
    StorageUnavailable,
    TooManyAttempts,
    Unauthenticated,
    Undeliverable,
    UnsupportedMediaType,
)
from chalicelib.edge.views import warning_view

PROBLEM_CONTENT_TYPE = "application/problem+json"

STATUS_AND_CODE: dict[type[CartServiceError], tuple[int, str]] = {
    InvalidJson: (400, "INVALID_JSON"),
    InvalidInput: (400, "VALIDATION_ERROR"),
    ProductNotFound: (400, "PRODUCT_NOT_FOUND"),
    CurrencyMismatch: (400, "CURRENCY_MISMATCH"),
    QuantityLimitExceeded: (400, "QUANTITY_LIMIT"),
    LineLimitExceeded: (400, "LINE_LIMIT"),
    CheckoutTooLarge: (409, "CHECKOUT_TOO_LARGE"),
    CartTooLarge: (400, "CART_TOO_LARGE"),
    MergeIntoItself: (400, "VALIDATION_ERROR"),
    CartNotFound: (404, "CART_NOT_FOUND"),
    ItemNotFound: (404, "ITEM_NOT_FOUND"),
    ConcurrentUpdate: (409, "CONFLICT"),
    StockMoved: (409, "CONFLICT"),  # retried by the service until it holds or is refused
    CartBeingMerged: (409, "CONFLICT"),
    RequestAlreadyApplied: (409, "IDEMPOTENCY_KEY_REUSED"),
    IdempotencyKeyReused: (409, "IDEMPOTENCY_KEY_REUSED"),
    PreconditionFailed: (412, "PRECONDITION_FAILED"),
    CartNotActive: (409, "CART_NOT_ACTIVE"),
    ProductsUnavailable: (400, "PRODUCTS_UNAVAILABLE"),
    InsufficientStock: (409, "INSUFFICIENT_STOCK"),
    StockNotCounted: (409, "STOCK_NOT_COUNTED"),
    PriceChanged: (409, "PRICE_CHANGED"),
    CartEmpty: (400, "CART_EMPTY"),
    Undeliverable: (409, "UNDELIVERABLE"),
    DeliveryOptionUnavailable: (400, "DELIVERY_OPTION_UNAVAILABLE"),
    DiscountCodeInvalid: (400, "DISCOUNT_CODE_INVALID"),
    DiscountUsedUpAtCheckout: (409, "DISCOUNT_CODE_INVALID"),
    DiscountCodeNotFound: (404, "DISCOUNT_CODE_NOT_FOUND"),
    TooManyAttempts: (429, "TOO_MANY_ATTEMPTS"),
    StorageUnavailable: (503, "SERVICE_UNAVAILABLE"),
    Unauthenticated: (401, "UNAUTHORIZED"),
    Forbidden: (403, "FORBIDDEN"),
    CartLimitExceeded: (409, "CART_LIMIT"),
    PayloadTooLarge: (413, "PAYLOAD_TOO_LARGE"),
    UnsupportedMediaType: (415, "UNSUPPORTED_MEDIA_TYPE"),
}

# Errors Chalice itself answers before a view runs, by their status; anything else that
# Chalice answers on its own (an unhandled exception) is an internal error.
CODE_FOR_STATUS = {
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "TOO_MANY_REQUESTS",
}

# An error answer stays small whatever the request held: at most this many `errors`, each
# field and message cut, and the detail cut (so it never exceeds 4 KiB).
MAX_ERRORS = 10
MAX_FIELD_LENGTH = 100
MAX_DETAIL_LENGTH = 500

INTERNAL_ERROR_DETAIL = "the service failed unexpectedly; the request id identifies it in the logs"


def problem_for(error: CartServiceError) -> dict[str, Any]:
    status, code = STATUS_AND_CODE[type(error)]
    body = problem(status, code, error.detail)
    if isinstance(error, InvalidInput):
        body["errors"] = [
            {"field": _cut(e.field, MAX_FIELD_LENGTH), "message": _cut(e.message, MAX_FIELD_LENGTH)}
            for e in error.errors[:MAX_ERRORS]
        ]
    elif error.field is not None:  # a batch's operation
        body["errors"] = [{"field": error.field, "message": _cut(error.detail, MAX_FIELD_LENGTH)}]
    if isinstance(error, MergeIntoItself):
        body["errors"] = [{"field": "sourceCartId", "message": "must be another cart"}]
    if isinstance(error, InsufficientStock | PriceChanged):
        body["warnings"] = [warning_view(warning) for warning in error.warnings]
    if isinstance(error, DiscountCodeInvalid):
        body["reason"] = error.reason
    if isinstance(error, ProductsUnavailable):
        body["unavailableProducts"] = error.product_ids
    return body


def refusal(error: CartServiceError) -> dict[str, Any]:
    """The problem object answering `error`; its code, and a discount code's reason, label
    the request's metrics (edge/metrics.py)."""
    body = problem_for(error)
    telemetry.label(code=body["code"])
    if "reason" in body:
        telemetry.label(reason=body["reason"])
    return body


def problem_for_status(status: int, detail: str) -> dict[str, Any]:
    code = CODE_FOR_STATUS.get(status)
    if code is None:
        return problem(500, "INTERNAL_ERROR", INTERNAL_ERROR_DETAIL)
    if status == 415:
        detail += "; send the body as JSON with Content-Type: application/json"
    if status == 404:
        detail = "no such resource: check the path (and, deployed, the stage prefix)"
    return problem(status, code, detail)


def problem(status: int, code: str, detail: str) -> dict[str, Any]:
    return {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "code": code,
        "detail": _cut(detail, MAX_DETAIL_LENGTH),
    }


def _cut(text: str, length: int) -> str:
    """`text` within `length` characters, as valid Unicode (a lone surrogate a request sent
    is echoed as U+FFFD)."""
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text if len(text) <= length else text[: length - 1] + "…"
