"""The app in process, as the REST API and as its Lambda functions, recording IAM actions."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalice.test import Client

import app as app_module
from chalicelib.domain.commands import MAX_OPERATIONS
from chalicelib.edge.services import Services
from tests.iam_recorder import IamRecorder
from tools.deploy.policies import API_HANDLER

JSON = {"Content-Type": "application/json"}
MISSING_CART = "0b6f1c9e-3f0a-4c55-9d9b-6a3f5f1d2e7a"


@dataclass
class Reply:
    status_code: int
    headers: dict[str, str]
    body: bytes
    json: Any


class Api:
    """HTTP calls through chalice.test; DynamoDB calls are recorded as the API handler's."""

    def __init__(self, client: Client, recorder: IamRecorder) -> None:
        self.client = client
        self.recorder = recorder

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Reply:
        raw = (
            body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
        )
        with self.recorder.calling_as(API_HANDLER):
            response = self.client.http.request(
                method, path, headers={**JSON, **(headers or {})}, body=raw
            )
        document = json.loads(response.body) if response.body else None
        return Reply(response.status_code, response.headers, response.body, document)

    def new_cart(self, **body: Any) -> str:
        response = self.call("POST", "/carts", {"customerId": "customer-42", **body})
        assert response.status_code == 201
        return str(response.json["cartId"])

    def fill(self, cart: str, product_ids: list[str], quantity: int = 1) -> None:
        """`quantity` of each product, added in batches of MAX_OPERATIONS (as a storefront's
        bulk order would: one request per batch, not per line)."""
        for start in range(0, len(product_ids), MAX_OPERATIONS):
            batch = product_ids[start : start + MAX_OPERATIONS]
            operations = [{"op": "add", "productId": pid, "quantity": quantity} for pid in batch]
            added = self.call("PATCH", f"/carts/{cart}/items", {"operations": operations})
            assert added.status_code == 200, added.json


class Functions:
    """Direct invocations of the per-operation functions, each in a fresh "container".

    The service is built anew for every invocation (as a new Lambda container would), so
    nothing cached by an earlier call hides a DynamoDB call from the recorder.
    """

    def __init__(
        self, client: Client, recorder: IamRecorder, new_container: Callable[[], Services]
    ) -> None:
        self.client = client
        self.recorder = recorder
        self.new_container = new_container

    def invoke(self, function: str, payload: Any) -> Any:
        app_module.services.use(self.new_container())
        with self.recorder.calling_as(function):
            return self.client.lambda_.invoke(function, payload).payload
