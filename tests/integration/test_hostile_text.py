"""Any text in any free-text field: a 2xx or a 4xx, never a 5xx.

Hypothesis sends arbitrary Unicode, lone UTF-16 surrogates (which JSON lets through as
`"\\ud800"`) and characters outside the BMP into every string the API takes, each request
with an Idempotency-Key, so the text also reaches the receipt, the log line and DynamoDB.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.clients import Api

LONE_SURROGATES = st.sampled_from([chr(code) for code in (0xD800, 0xD83D, 0xDBFF, 0xDC00, 0xDFFF)])
CHARACTERS = st.one_of(
    st.characters(exclude_categories=()),
    st.characters(min_codepoint=0x10000),
    LONE_SURROGATES,
)
TEXT = st.lists(CHARACTERS, max_size=300).map("".join)  # st.text() leaves surrogates out
PAIRS = st.dictionaries(TEXT, TEXT, max_size=3)

Request = tuple[str, str, dict[str, Any]]
BODIES: dict[str, Callable[[str, Any, Any], Request]] = {
    "customerId": lambda cart, text, pairs: ("POST", "/carts", {"customerId": text}),
    "currency": lambda cart, text, pairs: ("POST", "/carts", {"customerId": "c", "currency": text}),
    "productId": lambda cart, text, pairs: (
        "POST",
        f"/carts/{cart}/items",
        {"productId": text, "quantity": 1},
    ),
    "line attributes": lambda cart, text, pairs: (
        "POST",
        f"/carts/{cart}/items",
        {"productId": "ESP-1KG", "quantity": 1, "attributes": pairs},
    ),
    "set attributes": lambda cart, text, pairs: (
        "PUT",
        f"/carts/{cart}/items/ESP-1KG",
        {"quantity": 1, "attributes": pairs},
    ),
    "note": lambda cart, text, pairs: ("PATCH", f"/carts/{cart}", {"note": text}),
    "cart attributes": lambda cart, text, pairs: (
        "PATCH",
        f"/carts/{cart}",
        {"attributes": pairs},
    ),
    "batch": lambda cart, text, pairs: (
        "PATCH",
        f"/carts/{cart}/items",
        {"operations": [{"op": "add", "productId": "ESP-1KG", "quantity": 1, "attributes": pairs}]},
    ),
    "code": lambda cart, text, pairs: ("POST", f"/carts/{cart}/discount-codes", {"code": text}),
    "sourceCartId": lambda cart, text, pairs: (
        "POST",
        f"/carts/{cart}/merge",
        {"sourceCartId": text},
    ),
    "sourceCartToken": lambda cart, text, pairs: (
        "POST",
        f"/carts/{cart}/merge",
        {"sourceCartId": str(uuid.uuid4()), "sourceCartToken": text},
    ),
}


@pytest.mark.parametrize("field", sorted(BODIES))
def test_any_text_in_any_field_is_answered_2xx_or_4xx(api: Api, field: str) -> None:
    cart = api.new_cart()
    api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 1})

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(text=TEXT, pairs=PAIRS)
    def answered(text: str, pairs: dict[str, str]) -> None:
        method, path, body = BODIES[field](cart, text, pairs)
        raw = json.dumps(body).encode()  # lone surrogates travel as \\udXXX escapes
        response = api.call(method, path, raw, {"Idempotency-Key": str(uuid.uuid4())})
        assert response.status_code < 500, (body, response.json)
        assert response.json is None or "Traceback" not in json.dumps(response.json)
        received = json.dumps(json.loads(raw), ensure_ascii=False)  # a pair is one character
        if any(0xD800 <= ord(c) <= 0xDFFF for c in received):
            assert response.status_code == 400, (body, response.json)

    answered()
