"""Request parsing and validation: nothing unvalidated reaches the service or DynamoDB.

Both transports use these checks (through `operations.py`), so a REST request and a direct
invocation are held to the same rules and report the same fields.

Written out by hand rather than with a schema library: the bodies are small (nine of
them: create, add, update an item, update the cart, a batch, checkout, merge, a code and
a stock adjustment),
the contract prescribes each field's message, every error is reported (not only the first), and
duplicate keys must be refused, which JSON decoders silently accept. It costs no import time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NoReturn

from chalicelib.domain.cart import (
    ATTRIBUTE_KEY,
    MAX_ATTRIBUTE_VALUE,
    MAX_CART_ATTRIBUTES,
    MAX_LINE_ATTRIBUTES,
    MAX_NOTE,
)
from chalicelib.domain.commands import (
    ADD,
    MAX_OPERATIONS,
    REMOVE,
    SET,
    AddItem,
    AdjustStock,
    ChangeItems,
    CreateCart,
    ItemOperation,
    ListCarts,
    MergeCarts,
    UpdateCart,
    UpdateItem,
)
from chalicelib.domain.delivery import (
    COUNTRIES,
    COUNTRY_RULE,
    POSTAL_CODE,
    POSTAL_CODE_RULE,
    REGION,
    REGION_RULE,
    DeliveryAddress,
)
from chalicelib.domain.errors import FieldError, InvalidInput
from chalicelib.domain.identifiers import (
    CART_ID,
    CART_ID_RULE,
    CUSTOMER_ID,
    CUSTOMER_ID_RULE,
    PRODUCT_ID,
    PRODUCT_ID_RULE,
)
from chalicelib.domain.money import DEFAULT_CURRENCY, is_supported_currency
from chalicelib.domain.products import MAX_QUANTITY
from chalicelib.domain.promotions import DISCOUNT_CODE, DISCOUNT_CODE_RULE
from chalicelib.domain.stock import MAX_ADJUSTMENT

CURRENCY_RULE = "must be a supported ISO 4217 currency code such as USD or EUR"


def create_cart(body: dict[str, Any], customer_required: bool = True) -> CreateCart:
    """`customerId` is required of a trusted caller; a shopper's is their token's subject,
    and a guest's cart has none."""
    errors = unknown_fields(body, {"customerId", "currency"})
    customer_id: str | None = None
    if customer_required or "customerId" in body:
        customer_id = _pattern_field(body, "customerId", CUSTOMER_ID, CUSTOMER_ID_RULE, errors)
    currency = body.get("currency", DEFAULT_CURRENCY)
    if not (isinstance(currency, str) and is_supported_currency(currency)):
        errors.append(FieldError("currency", CURRENCY_RULE))
    raise_if_any(errors)
    return CreateCart(customer_id, currency)


def add_item(body: dict[str, Any]) -> AddItem:
    errors = unknown_fields(body, {"productId", "quantity", "attributes"})
    product_id = _pattern_field(body, "productId", PRODUCT_ID, PRODUCT_ID_RULE, errors)
    quantity = quantity_field(body, 1, errors)
    attributes = _attributes_field(body, "attributes", MAX_LINE_ATTRIBUTES, errors)
    raise_if_any(errors)
    return AddItem(product_id, quantity, attributes)


def update_item(body: dict[str, Any]) -> UpdateItem:
    errors = unknown_fields(body, {"quantity", "attributes"})
    quantity = quantity_field(body, 0, errors)
    attributes = _attributes_field(body, "attributes", MAX_LINE_ATTRIBUTES, errors)
    raise_if_any(errors)
    return UpdateItem(quantity, attributes)


DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def list_carts(query: Mapping[str, str] | None) -> ListCarts:
    """`limit` (1-100, default 20) and `nextToken` from a query string."""
    query = query or {}
    errors = [
        FieldError(name, "is not a known query parameter")
        for name in sorted(query)
        if name not in {"limit", "nextToken"}
    ]
    limit_text = query.get("limit", str(DEFAULT_PAGE_SIZE))
    is_small_number = limit_text.isascii() and limit_text.isdigit() and len(limit_text) <= 3
    limit = int(limit_text) if is_small_number else 0
    if not 1 <= limit <= MAX_PAGE_SIZE:
        errors.append(FieldError("limit", f"must be an integer from 1 to {MAX_PAGE_SIZE}"))
    token = query.get("nextToken")
    if token is not None and not (token.isascii() and 0 < len(token) <= 1024):
        errors.append(FieldError("nextToken", "is not a token this service issued"))
    raise_if_any(errors)
    return ListCarts(limit, token)


MAX_CART_TOKEN_LENGTH = 200


_CART_FIELDS = ("note", "attributes", "deliveryAddress", "deliveryOptionId")


def update_cart(body: dict[str, Any]) -> UpdateCart:
    errors = unknown_fields(body, set(_CART_FIELDS))
    if not body:
        errors.append(FieldError("note", f"give at least one of {', '.join(_CART_FIELDS)}"))
    note = body.get("note")
    if "note" in body and not (isinstance(note, str) and len(note) <= MAX_NOTE):
        errors.append(FieldError("note", f"must be a string of at most {MAX_NOTE} characters"))
    attributes = _attributes_field(body, "attributes", MAX_CART_ATTRIBUTES, errors)
    address = None
    if body.get("deliveryAddress") is not None:
        address = delivery_address(body["deliveryAddress"], "deliveryAddress", errors)
    option = body.get("deliveryOptionId")
    if option is not None and not (isinstance(option, str) and PRODUCT_ID.fullmatch(option)):
        errors.append(FieldError("deliveryOptionId", f"{PRODUCT_ID_RULE}, or null"))
    raise_if_any(errors)
    return UpdateCart(
        note,
        attributes,
        "deliveryAddress" in body,
        address,
        "deliveryOptionId" in body,
        option,
    )


def delivery_address(value: Any, at: str, errors: list[FieldError]) -> DeliveryAddress | None:
    """{"country", "region"?, "postalCode"?}: its refusals named `at.country` and so on."""
    if not isinstance(value, dict):
        errors.append(FieldError(at, 'must be an object such as {"country": "US"}, or null'))
        return None
    found = unknown_fields(value, {"country", "region", "postalCode"}, f"{at}.")
    country, region, postal_code = (value.get(k) for k in ("country", "region", "postalCode"))
    if not (isinstance(country, str) and country in COUNTRIES):
        found.append(FieldError(f"{at}.country", COUNTRY_RULE))
    if region is not None and not (isinstance(region, str) and REGION.fullmatch(region)):
        found.append(FieldError(f"{at}.region", REGION_RULE))
    if postal_code is not None and not (
        isinstance(postal_code, str) and POSTAL_CODE.fullmatch(postal_code)
    ):
        found.append(FieldError(f"{at}.postalCode", POSTAL_CODE_RULE))
    errors += found
    if found or not isinstance(country, str):
        return None
    return DeliveryAddress(country, region, postal_code)


def change_items(body: dict[str, Any]) -> ChangeItems:
    """1 to 50 operations; each one's errors are named `operations[i].field`."""
    errors = unknown_fields(body, {"operations"})
    operations = body.get("operations")
    if not (isinstance(operations, list) and 1 <= len(operations) <= MAX_OPERATIONS):
        errors.append(
            FieldError("operations", f"must be a list of 1 to {MAX_OPERATIONS} operations")
        )
        raise_if_any(errors)
        return ChangeItems([])
    parsed = []
    for index, operation in enumerate(operations):
        try:
            parsed.append(_item_operation(operation))
        except InvalidInput as invalid:
            prefix = f"operations[{index}]"
            errors += [
                FieldError(f"{prefix}.{e.field}" if e.field else prefix, e.message)
                for e in invalid.errors
            ]
    raise_if_any(errors)
    return ChangeItems(parsed)


def _item_operation(operation: object) -> ItemOperation:
    if not isinstance(operation, dict):
        _fail("", 'must be an object such as {"op": "add", "productId": "...", "quantity": 1}')
    kind = operation.get("op")
    fields = {name: value for name, value in operation.items() if name != "op"}
    if kind == ADD:
        added = add_item(fields)
        return ItemOperation(ADD, added.product_id, added.quantity, added.attributes)
    if kind == SET:
        errors = unknown_fields(fields, {"productId", "quantity", "attributes"})
        product = _pattern_field(fields, "productId", PRODUCT_ID, PRODUCT_ID_RULE, errors)
        quantity = quantity_field(fields, 0, errors)
        attributes = _attributes_field(fields, "attributes", MAX_LINE_ATTRIBUTES, errors)
        raise_if_any(errors)
        return ItemOperation(SET, product, quantity, attributes)
    if kind == REMOVE:
        errors = unknown_fields(fields, {"productId"})
        product = _pattern_field(fields, "productId", PRODUCT_ID, PRODUCT_ID_RULE, errors)
        raise_if_any(errors)
        return ItemOperation(REMOVE, product)
    _fail("op", 'must be "add", "set" or "remove"')


def checkout(body: dict[str, Any]) -> bool:
    """Whether the shopper accepts prices that rose since the lines were added (no body:
    not)."""
    errors = unknown_fields(body, {"acceptPriceChanges"})
    accept = body.get("acceptPriceChanges", False)
    if type(accept) is not bool:
        errors.append(FieldError("acceptPriceChanges", "must be true or false"))
    raise_if_any(errors)
    return bool(accept)


def adjust_stock(body: dict[str, Any]) -> AdjustStock:
    """A product and the units its stock changes by: put back (positive) or removed."""
    errors = unknown_fields(body, {"productId", "delta"})
    product_id = _pattern_field(body, "productId", PRODUCT_ID, PRODUCT_ID_RULE, errors)
    delta = body.get("delta")
    if type(delta) is not int or not 0 < abs(delta) <= MAX_ADJUSTMENT:
        rule = f"must be a non-zero integer from -{MAX_ADJUSTMENT} to {MAX_ADJUSTMENT}"
        errors.append(FieldError("delta", "is required" if "delta" not in body else rule))
        delta = 0
    raise_if_any(errors)
    return AdjustStock(product_id, delta)


def merge_carts(body: dict[str, Any]) -> MergeCarts:
    errors = unknown_fields(body, {"sourceCartId", "sourceCartToken"})
    if "sourceCartId" not in body:
        errors.append(FieldError("sourceCartId", "is required"))
    elif not (isinstance(body["sourceCartId"], str) and CART_ID.fullmatch(body["sourceCartId"])):
        errors.append(FieldError("sourceCartId", CART_ID_RULE))
    token = body.get("sourceCartToken")
    if token is not None and not (
        isinstance(token, str) and 0 < len(token) <= MAX_CART_TOKEN_LENGTH
    ):
        errors.append(FieldError("sourceCartToken", "must be the guest cart's cartToken"))
    raise_if_any(errors)
    return MergeCarts(body["sourceCartId"], token)


def enter_discount_code(body: dict[str, Any]) -> str:
    errors = unknown_fields(body, {"code"})
    code = _pattern_field(body, "code", DISCOUNT_CODE, DISCOUNT_CODE_RULE, errors)
    raise_if_any(errors)
    return code


def discount_code(value: object) -> str:
    if not (isinstance(value, str) and DISCOUNT_CODE.fullmatch(value)):
        _fail("code", DISCOUNT_CODE_RULE)
    return value


def customer_id(value: object) -> str:
    if not (isinstance(value, str) and CUSTOMER_ID.fullmatch(value)):
        _fail("customerId", CUSTOMER_ID_RULE)
    return value


def cart_id(value: object) -> str:
    if not (isinstance(value, str) and CART_ID.fullmatch(value)):
        _fail("cartId", CART_ID_RULE)
    return value


def product_id(value: object) -> str:
    if not (isinstance(value, str) and PRODUCT_ID.fullmatch(value)):
        _fail("productId", PRODUCT_ID_RULE)
    return value


_ETAG = re.compile(r'"([1-9][0-9]{0,17})"')
MAX_VERSION = 10**18 - 1
_IDEMPOTENCY_KEY = re.compile(r"[\x20-\x7e]{1,128}")


def if_match(header: str | None) -> int | None:
    """The version an If-Match header names; None for no header or `*` (any version)."""
    if header is None or header.strip() == "*":
        return None
    match = _ETAG.fullmatch(header.strip())
    if match is None:
        _fail("If-Match", 'must be an ETag this service sent, such as "3"')
    return int(match.group(1))


def expected_version(value: object) -> int | None:
    """A direct invocation's `expectedVersion`: what If-Match names, as an integer."""
    if value is None:
        return None
    if type(value) is not int or not 1 <= value <= MAX_VERSION:
        _fail("expectedVersion", "must be a version this service sent, such as 3")
    return value


def idempotency_key(value: object, field: str = "Idempotency-Key") -> str | None:
    if value is None:
        return None
    if not (isinstance(value, str) and _IDEMPOTENCY_KEY.fullmatch(value)):
        _fail(field, "must be 1 to 128 printable ASCII characters")
    return value


def secret_idempotency_key(key: str | None, field: str = "Idempotency-Key") -> str | None:
    """The key of a request without a token: its replay hands out a cart token, so the key
    must be as hard to guess as the token (a UUID version 4)."""
    if key is not None and not CART_ID.fullmatch(key.lower()):
        _fail(field, "must be a UUID version 4 when the request carries no token")
    return key


def unknown_fields(body: dict[str, Any], known: set[str], at: str = "") -> list[FieldError]:
    """A refusal of each field of `body` not `known` (`at`: where the body is, as a
    field's name prefix: `line_items[0].`)."""
    return [
        FieldError(f"{at}{name}", "is not a known field")
        for name in sorted(body)
        if name not in known
    ]


def _pattern_field(
    body: dict[str, Any], name: str, pattern: re.Pattern[str], rule: str, errors: list[FieldError]
) -> str:
    if name not in body:
        errors.append(FieldError(name, "is required"))
        return ""
    value = body[name]
    if not (isinstance(value, str) and pattern.fullmatch(value)):
        errors.append(FieldError(name, rule))
        return ""
    return value


def quantity_field(
    body: dict[str, Any], minimum: int, errors: list[FieldError], at: str = ""
) -> int:
    """`body`'s quantity, from `minimum` to MAX_QUANTITY (0 and a refusal otherwise)."""
    if "quantity" not in body:
        errors.append(FieldError(f"{at}quantity", "is required"))
        return 0
    value = body["quantity"]
    # bool is a subclass of int in Python, but `true` is not a quantity.
    if type(value) is not int or not minimum <= value <= MAX_QUANTITY:
        errors.append(
            FieldError(f"{at}quantity", f"must be an integer from {minimum} to {MAX_QUANTITY}")
        )
        return 0
    return value


_ATTRIBUTE_KEY = re.compile(ATTRIBUTE_KEY)


def _attributes_field(
    body: dict[str, Any], name: str, most: int, errors: list[FieldError]
) -> dict[str, str] | None:
    """Up to `most` string pairs: keys 1-40 of A-Z a-z 0-9 _ . -, values up to 256
    characters. Absent: None."""
    if name not in body:
        return None
    value = body[name]
    rule = f"must be an object of at most {most} pairs, each key 1 to 40 of A-Z a-z 0-9 _ . -"
    if not isinstance(value, dict) or len(value) > most:
        errors.append(FieldError(name, rule))
        return None
    if not all(isinstance(key, str) and _ATTRIBUTE_KEY.fullmatch(key) for key in value):
        errors.append(FieldError(name, rule))
        return None
    for key, text in value.items():
        if not isinstance(text, str) or len(text) > MAX_ATTRIBUTE_VALUE:
            message = f"must be a string of at most {MAX_ATTRIBUTE_VALUE} characters"
            errors.append(FieldError(f"{name}.{key}", message))
    return dict(value)


def raise_if_any(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput(errors)


def _fail(field: str, message: str) -> NoReturn:
    raise InvalidInput([FieldError(field, message)])
