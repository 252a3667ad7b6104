"""Metrics and access lines: every request, invocation and stream batch writes one JSON line
with its id, operation, status, code, latency and round trips, which is also a CloudWatch
Embedded Metric Format document (checked against the specification, tests/emf.py)."""

from __future__ import annotations

import json
from typing import Any
from unittest.mock import patch

import pytest

from chalicelib import wiring
from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.edge.metrics import METRICS
from chalicelib.settings import METRICS_NAMESPACE, Settings
from tests import emf
from tests.faults import FaultInjector, throttled, transaction_conflict
from tests.integration.clients import MISSING_CART, Api, Functions


class AccessLines:
    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys

    def take(self) -> list[dict[str, Any]]:
        """The access lines written on standard output since the last take, as JSON, each a
        valid EMF document."""
        lines = emf.access_lines(self._capsys.readouterr().out)
        for line in lines:
            emf.check(line)
            assert {d["Namespace"] for d in line["_aws"]["CloudWatchMetrics"]} == {
                METRICS_NAMESPACE
            }
            assert set(emf.metrics(line)) <= set(METRICS)  # only what the catalogue lists
        return lines

    def one(self) -> dict[str, Any]:
        (line,) = self.take()
        return line


@pytest.fixture
def lines(capsys: pytest.CaptureFixture[str]) -> AccessLines:
    return AccessLines(capsys)


PER_OPERATION = ("stage", "operation")


def test_a_shopping_session_writes_one_emf_line_per_request(api: Api, lines: AccessLines) -> None:
    created = api.call("POST", "/carts", {"customerId": "customer-42"})
    cart = created.json["cartId"]
    api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 2})
    checked_out = api.call("POST", f"/carts/{cart}/checkout")
    create, add, checkout = lines.take()

    assert (create["operation"], create["status"], create["stage"]) == ("create_cart", 201, "local")
    assert emf.metrics(create)["CartsCreated"] == (1, ("stage",))
    assert emf.metrics(add)["ItemsAdded"] == (1, ("stage",))
    assert checkout["requestId"] == checked_out.headers["X-Request-Id"]
    assert checkout["cartId"] == cart
    measured = emf.metrics(checkout)
    assert measured["Checkouts"] == (1, ("stage",))
    assert measured["Requests"] == (1, PER_OPERATION)
    assert measured["Latency"][0] == checkout["latencyMs"] > 0
    assert measured["DynamoDBCalls"] == (checkout["roundTrips"], PER_OPERATION)
    assert checkout["roundTrips"] >= 2  # read, then the transaction
    assert "Refusals" not in measured and "code" not in checkout


def test_a_refused_discount_code_counts_by_code_and_reason(api: Api, lines: AccessLines) -> None:
    cart = api.new_cart()
    lines.take()
    refused = api.call("POST", f"/carts/{cart}/discount-codes", {"code": "NOSUCHCODE"})
    assert refused.status_code == 400
    line = lines.one()
    assert (line["code"], line["reason"], line["status"]) == (
        "DISCOUNT_CODE_INVALID",
        "UNKNOWN",
        400,
    )
    measured = emf.metrics(line)
    assert measured["Refusals"] == (1, ("stage", "operation", "code"))
    assert measured["DiscountCodesRefused"] == (1, ("stage", "reason"))
    assert "ServerErrors" not in measured


def test_a_checkout_refusal_counts_by_code(api: Api, lines: AccessLines) -> None:
    cart = api.new_cart()
    lines.take()
    assert api.call("POST", f"/carts/{cart}/checkout").json["code"] == "CART_EMPTY"
    assert emf.metrics(lines.one())["CheckoutRefusals"] == (1, ("stage", "code"))


def test_a_keyed_retry_is_a_replay_and_creates_nothing(api: Api, lines: AccessLines) -> None:
    key = {"Idempotency-Key": "metrics-replay-1"}
    first = api.call("POST", "/carts", {"customerId": "customer-42"}, key)
    again = api.call("POST", "/carts", {"customerId": "customer-42"}, key)
    assert again.json == first.json
    reused = api.call("POST", "/carts", {"customerId": "customer-7"}, key)
    assert reused.json["code"] == "IDEMPOTENCY_KEY_REUSED"
    original, replay, reuse = (emf.metrics(line) for line in lines.take())
    assert "CartsCreated" in original and "Replays" not in original
    assert replay["Replays"] == (1, PER_OPERATION) and "CartsCreated" not in replay
    assert reuse["KeyReuseRefusals"] == (1, PER_OPERATION) and "Replays" not in reuse


def test_throttling_retries_and_conflicts_are_counted(
    api: Api, lines: AccessLines, dynamodb: Any
) -> None:
    cart = api.new_cart()
    faults = FaultInjector(dynamodb)
    faults.fail("GetItem", throttled, times=1)
    assert api.call("GET", f"/carts/{cart}").status_code == 200
    faults.fail("TransactWriteItems", transaction_conflict, times=1)
    added = api.call(
        "POST",
        f"/carts/{cart}/items",
        {"productId": "ESP-1KG", "quantity": 1},
        {"Idempotency-Key": "metrics-conflict-1"},
    )
    assert added.status_code == 200
    _, read, add = (emf.metrics(line) for line in lines.take())
    assert read["DynamoDBThrottles"] == (1, PER_OPERATION)
    assert read["DynamoDBRetries"] == (1, PER_OPERATION)
    assert add["ConditionalConflicts"] == (1, PER_OPERATION)


def test_a_direct_invocation_writes_the_same_line(functions: Functions, lines: AccessLines) -> None:
    problem = functions.invoke("get_cart", {"cartId": MISSING_CART})
    line = lines.one()
    assert (line["operation"], line["status"], line["code"]) == ("get_cart", 404, problem["code"])
    assert emf.metrics(line)["Refusals"] == (1, ("stage", "operation", "code"))


def test_a_change_answered_202_counts_as_accepted(
    api: Api, lines: AccessLines, dynamodb: Any
) -> None:
    cart = api.new_cart()
    lines.take()
    FaultInjector(dynamodb).fail("Query", throttled)  # the read-back's lines, every time
    added = api.call("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 1})
    assert added.status_code == 202
    measured = emf.metrics(lines.one())
    assert measured["Accepted"] == (1, PER_OPERATION)
    assert measured["DynamoDBThrottles"][0] >= 3
    assert "ItemsAdded" in measured  # the change did commit


def test_an_agents_requests_name_the_agent_and_count_in_the_funnel(
    api: Api, lines: AccessLines
) -> None:
    agent = {"UCP-Agent": 'profile="https://agent.example/.well-known/ucp"'}
    body = {"line_items": [{"item": {"id": "ESP-1KG"}, "quantity": 1}]}
    assert api.call("POST", "/ucp/carts", body, agent).status_code == 201
    refused = {"line_items": [{"item": {"id": "NO-SUCH-THING"}, "quantity": 1}]}
    assert api.call("POST", "/ucp/carts", refused, agent).status_code == 200  # UCP's refusal
    created, refusal = lines.take()
    assert (created["operation"], created["ucpAgent"]) == (
        "ucp_create_cart",
        "https://agent.example/.well-known/ucp",
    )
    assert emf.metrics(created)["CartsCreated"] == (1, ("stage",))
    assert (refusal["status"], refusal["code"]) == (200, "PRODUCT_NOT_FOUND")
    assert "CartsCreated" not in emf.metrics(refusal)
    assert emf.metrics(refusal)["Refusals"] == (1, ("stage", "operation", "code"))


def test_answers_chalice_gives_before_a_view_runs_count_too(api: Api, lines: AccessLines) -> None:
    """Its own 415 (a body sent as text) carries the route's operation, as every answer does."""
    refused = api.call("POST", "/carts", b'{"customerId": "c"}', {"Content-Type": "text/plain"})
    assert refused.status_code == 415
    line = lines.one()
    assert (line["operation"], line["code"]) == ("create_cart", "UNSUPPORTED_MEDIA_TYPE")
    measured = emf.metrics(line)
    assert measured["Requests"] == (1, PER_OPERATION)
    assert measured["Refusals"] == (1, ("stage", "operation", "code"))


def test_a_cart_token_in_a_path_is_never_logged_however_it_is_encoded(
    api: Api, lines: AccessLines
) -> None:
    token = "cart.k1.0b6f1c9e-3f0a-4c55-9d9b-6a3f5f1d2e7a.c2lnbmF0dXJl"
    for path in (f"/ucp/carts/{token}", f"/ucp/carts/%63art{token[4:]}", "/ucp/carts/%2563art.x"):
        api.call("GET", path, headers={"UCP-Agent": 'profile="https://agent.example/p"'})
        line = lines.one()
        assert line["path"] == "/ucp/carts/{cart token}"
        assert "art." not in json.dumps(line)


def test_a_checkout_whose_stock_was_taken_meanwhile_reads_again_and_says_so(
    api: Api, lines: AccessLines, dynamodb: Any, settings: Settings
) -> None:
    """The checkout of 2 reads 3 units of GRINDER-HAND; another checkout takes 2 before it
    writes: its take fails, it reads again (StockContention) and finds 1 left: refused."""
    # Another client than the service's: the IAM test records what the service calls.
    other_client = wiring.dynamodb_client(settings)
    tables = (settings.products_table, settings.stock_table)
    catalog = DynamoProductRepository(other_client, *tables)
    cart = api.new_cart()
    api.call("POST", f"/carts/{cart}/items", {"productId": "GRINDER-HAND", "quantity": 2})
    read = DynamoProductRepository.get_many
    sold: list[bool] = []

    def read_then_sold(
        self: DynamoProductRepository, product_ids: Any, shard_counts: Any = None
    ) -> Any:
        products = read(self, product_ids, shard_counts)
        if not sold:  # between this checkout's read and its write
            sold.append(True)
            catalog.set_stock({"GRINDER-HAND": (1,)})
        return products

    lines.take()
    with patch.object(DynamoProductRepository, "get_many", read_then_sold):
        refused = api.call("POST", f"/carts/{cart}/checkout")
    assert (refused.status_code, refused.json["warnings"][0]["available"]) == (409, 1)
    assert catalog.get_many(["GRINDER-HAND"])["GRINDER-HAND"].stock == 1
    (line,) = lines.take()
    assert emf.metrics(line)["StockContention"] == (1, PER_OPERATION)
