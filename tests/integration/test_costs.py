"""What docs/operations.md says DynamoDB bills ("What it costs"), computed as DynamoDB
computes it (bench/billing.py) on the very requests a storefront sends: the table cannot
drift from the code. `make bench` reports the same figures, and those of a cart at its
size budget."""

import re
from pathlib import Path
from typing import Any

import boto3

from bench.billing import Bill
from bench.costs import storefront_session, typical_costs
from chalicelib import wiring
from chalicelib.settings import Settings
from tests.integration.clients import Api

OPERATIONS_MD = Path(__file__).parents[2] / "docs" / "operations.md"
HEADER = "| operation, keyed as the client sends it | cart of 3 lines | cart at its size budget |"


def stated_costs() -> dict[str, str]:
    """The cost table of docs/operations.md: each row's name and its cart of 3 lines."""
    table = OPERATIONS_MD.read_text().partition(HEADER)[2].split("\n\n")[0]
    return dict(re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|", table, re.M)[1:])


def sender(api: Api) -> Any:
    def send(method: str, path: str, body: Any, headers: dict[str, str] | None) -> Any:
        reply = api.call(method, path, body, headers)
        assert reply.status_code < 300, reply.json
        return reply.json

    return send


def test_each_operation_and_a_session_cost_what_the_docs_say(
    api: Api, dynamodb: Any, settings: Settings, boto_session: boto3.session.Session
) -> None:
    stated = stated_costs()
    bill = Bill(dynamodb, wiring.dynamodb_client(settings, boto_session))
    send = sender(api)
    cart = send("POST", "/carts", {"customerId": "bench"}, None)["cartId"]
    for product in ("ESP-1KG", "FILTER-100"):
        send("POST", f"/carts/{cart}/items", {"productId": product, "quantity": 1}, None)
    send("GET", f"/carts/{cart}", None, None)  # prices cached, as in a warm container
    computed = typical_costs(send, bill, cart)
    assert computed == {name: stated[name] for name in computed}
    send("GET", f"/carts/{cart}", None, None)
    with bill.billing():
        storefront_session(send)
    assert f"{bill.wru:g} WRU + {bill.rru:g} RRU" == stated["a storefront session"]
