"""IAM mode, in process, through the events API Gateway hands the function: a trusted
backend (its SigV4 signature already checked by API Gateway) acts for any customer, on
every route, whatever a bearer token in the request would say."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app import EDGE, app
from tools.local.gateway_event import LambdaContext
from tools.local.gateway_event import gateway_event as request_event

MALLORY_HEADER = {"Authorization": "Bearer not-a-token-api-gateway-checked-sigv4-instead"}


def gateway_event(method: str, resource: str, path: str, body: Any = None) -> dict[str, Any]:
    """A REST API (v1) proxy event for a SigV4-signed call, as API Gateway builds it."""
    return request_event(
        method,
        resource,
        path,
        body,
        MALLORY_HEADER,
        {"userArn": "arn:aws:sts::123456789012:assumed-role/bff/session"},
    )


def call(
    method: str, resource: str, path: str, body: Any = None
) -> tuple[int, Any, dict[str, Any]]:
    response = app(gateway_event(method, resource, path, body), LambdaContext())
    document = json.loads(response["body"]) if response.get("body") else None
    return response["statusCode"], document, response["headers"]


@pytest.fixture
def carts(dynamodb: Any) -> dict[str, str]:
    """Two customers' carts, each with a line, made by the trusted backend."""
    made = {}
    for customer in ("alice", "bob"):
        status, view, _ = call("POST", "/carts", "/carts", {"customerId": customer})
        assert status == 201
        cart = view["cartId"]
        status, _, _ = call(
            "POST",
            "/carts/{cartId}/items",
            f"/carts/{cart}/items",
            {"productId": "ESP-1KG", "quantity": 1},
        )
        assert status == 200
        made[customer] = cart
    return made


def test_the_process_runs_in_iam_mode() -> None:
    assert EDGE.api_auth == "iam"


ROUTES = [
    ("GET", "/carts/{cartId}", "/carts/{alice}", None, 200),
    (
        "POST",
        "/carts/{cartId}/items",
        "/carts/{alice}/items",
        {"productId": "MUG-CER", "quantity": 1},
        200,
    ),
    (
        "PUT",
        "/carts/{cartId}/items/{productId}",
        "/carts/{alice}/items/ESP-1KG",
        {"quantity": 4},
        200,
    ),
    ("DELETE", "/carts/{cartId}/items/{productId}", "/carts/{alice}/items/ESP-1KG", None, 200),
    ("POST", "/carts/{cartId}/merge", "/carts/{alice}/merge", {"sourceCartId": "{bob}"}, 200),
    ("POST", "/carts/{cartId}/checkout", "/carts/{alice}/checkout", None, 200),
    ("DELETE", "/carts/{cartId}", "/carts/{alice}", None, 204),
    ("GET", "/customers/{customerId}/carts", "/customers/alice/carts", None, 200),
    ("POST", "/carts", "/carts", {"customerId": "carol"}, 201),
]


@pytest.mark.parametrize(("method", "resource", "path", "body", "status"), ROUTES)
def test_a_trusted_backend_acts_for_any_customer_on_every_route(
    carts: dict[str, str], method: str, resource: str, path: str, body: Any, status: int
) -> None:
    path = path.format(**carts)
    if body is not None:
        body = json.loads(json.dumps(body).replace("{bob}", carts["bob"]))
    answered, document, headers = call(method, resource, path, body)
    assert answered == status, document
    if status == 201:
        assert document["customerId"] == "carol"
        assert "cartToken" not in document  # only a guest gets one
        assert headers["Location"] == f"/api/carts/{document['cartId']}"  # under the stage


def test_a_trusted_backend_has_no_carts_of_its_own(carts: dict[str, str]) -> None:
    status, problem, _ = call("GET", "/me/carts", "/me/carts")
    assert (status, problem["code"]) == (403, "FORBIDDEN")
