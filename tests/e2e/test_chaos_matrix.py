"""The chaos matrix: every mutation x every DynamoDB call it makes x every kind of fault,
with and without an Idempotency-Key, over HTTP against `chalice local`.

Each case sets up its own carts and products, arms one fault on one call (the fault proxy
keeps DynamoDB's promise that a transaction retried with its ClientRequestToken applies
once), sends the request, then checks:
- the stored state is the change applied exactly once, or not at all;
- the answer is truthful: a success (2xx) only if the change is stored, an error only if
  nothing changed;
- with a key, a retry converges: it succeeds, answers as the first success did, and the
  change is applied once.
The reference for "applied once" is the same request on the same carts without a fault.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import repeat
from typing import Any, NamedTuple

import pytest
import requests

from chalicelib import wiring
from chalicelib.domain.clock import utc_now
from chalicelib.domain.errors import CartNotFound
from chalicelib.dynamodb.holds import DynamoHoldSweep
from chalicelib.dynamodb.tables import TABLES
from chalicelib.edge import operations
from chalicelib.edge.operations import Incoming, Operation, Reply
from chalicelib.edge.runner import run
from chalicelib.settings import Settings
from tests.e2e.conftest import WARM_CATALOG, Stack, new_storage, serve
from tests.e2e.fault_proxy import FAULT_KINDS, Fault, FaultKind
from tools.local.stack import prepare_tables

MUTATIONS = (
    "create_cart",
    "add_item",
    "update_cart_item",
    "remove_item",
    "update_cart",
    "delete_cart",
    "merge_carts",
    "checkout",
)
CONCURRENT_CASES = 4
STOCK_OF_A = 10
HELD_AFTER = {mutation: 2 for mutation in MUTATIONS} | {
    "update_cart_item": 5,  # the line raised to 5 holds 3 more
    "remove_item": 0,  # the line's 2 given back
    "delete_cart": 0,  # the cart's 2 given back
}
"""The units of A out of stock after each mutation: the first cart holds 2 of them (a
checkout converts them)."""


class Reader:
    """What a case sets up and looks at, run in this process as the direct-invoke transport
    runs the operations (the same table of operations as the REST routes), on a warm
    container's services straight on the matrix's DynamoDB: no fault, and no HTTP to pay for
    the nine requests a case makes besides the one under test."""

    def __init__(self, settings: Settings, dynamodb: Any) -> None:
        self.settings = settings
        self.dynamodb = dynamodb
        self._services = wiring.build(settings, dynamodb)

    def call(
        self, operation: Operation, path: dict[str, str], body: Any = None, **query: str
    ) -> Reply:
        request = Incoming(path, body or {}, query, None, None)
        return run(operation, request, self._services.carts, self._services.receipts)


class Stacks(NamedTuple):
    """The API under test and the matrix's reader, on one DynamoDB of the matrix's own
    (hundreds of carts, and no other test's data for moto to copy into every transaction)."""

    changes: Stack
    """Serves the mutation under test, its retry and its reference, with no catalog cache: it
    makes every DynamoDB call a request can make, and each is faulted in turn."""
    reader: Reader
    """Sets up each case and sees its outcome, its catalog cached (a case's products never
    change once put), so the cases spend no calls on what they do not test."""


@pytest.fixture(scope="module")
def chaos_stacks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stacks]:
    tables = {table.variable: f"Chaos{table.name}" for table in TABLES.values()}
    warm = float(WARM_CATALOG["CATALOG_CACHE_SECONDS"])
    with new_storage(tables) as storage:
        for changes in serve(storage, tmp_path_factory, {"API_AUTH": "none"}):
            settings = changes.settings._replace(catalog_cache_seconds=warm)
            yield Stacks(changes, Reader(settings, storage.dynamodb))


class Scenario(NamedTuple):
    tag: str
    customer: str
    cart: str
    other: str

    @property
    def product_a(self) -> str:
        return f"{self.tag}-A"

    @property
    def product_b(self) -> str:
        return f"{self.tag}-B"


class Case(NamedTuple):
    mutation: str
    keyed: bool
    operation: str
    occurrence: int
    kind: FaultKind


def send(
    session: requests.Session,
    stack: Stack,
    method: str,
    path: str,
    body: Any = None,
    **headers: str,
) -> requests.Response:
    return session.request(
        method,
        stack.base_url + path,
        json=body,
        headers={"Content-Type": "application/json", **headers},
        timeout=60,
    )


def scenario(reader: Reader) -> Scenario:
    """Two carts of a customer of its own, holding products of its own (A, a limited lot
    whose stock the first cart holds 2 of): every DynamoDB call of the case names one of
    them, so concurrent cases never share a fault."""
    tag = f"chaos{uuid.uuid4().hex[:12]}"
    for suffix, price, held in (("A", "3.50", {"holdMinutes": {"N": "15"}}), ("B", "1.25", {})):
        reader.dynamodb.put_item(
            TableName=reader.settings.products_table,
            Item={
                "productId": {"S": f"{tag}-{suffix}"},
                "name": {"S": f"Chaos {suffix}"},
                "unitPrice": {"N": price},
                "currency": {"S": "USD"},
                **held,
            },
        )
    reader.dynamodb.put_item(
        TableName=reader.settings.stock_table,
        Item={
            "productId": {"S": f"{tag}-A"},
            "shard": {"N": "0"},
            "available": {"N": str(STOCK_OF_A)},
            "shards": {"N": "1"},
        },
    )
    customer = f"customer-{tag}"
    ids = []
    for product, quantity in ((f"{tag}-A", 2), (f"{tag}-B", 1)):
        cart = reader.call(operations.CREATE_CART, {}, {"customerId": customer}).body["cartId"]
        added = {"productId": product, "quantity": quantity}
        assert reader.call(operations.ADD_ITEM, {"cartId": cart}, added).status == 200
        ids.append(cart)
    return Scenario(tag, customer, ids[0], ids[1])


def mutate(
    session: requests.Session, stack: Stack, s: Scenario, mutation: str, key: str | None
) -> requests.Response:
    headers = {"Idempotency-Key": key} if key else {}
    request: tuple[str, str, Any] = {
        "create_cart": ("POST", "/carts", {"customerId": s.customer}),
        "add_item": ("POST", f"/carts/{s.cart}/items", {"productId": s.product_b, "quantity": 1}),
        "update_cart_item": ("PUT", f"/carts/{s.cart}/items/{s.product_a}", {"quantity": 5}),
        "remove_item": ("DELETE", f"/carts/{s.cart}/items/{s.product_a}", None),
        "update_cart": ("PATCH", f"/carts/{s.cart}", {"note": "Leave it by the door"}),
        "delete_cart": ("DELETE", f"/carts/{s.cart}", None),
        "merge_carts": ("POST", f"/carts/{s.cart}/merge", {"sourceCartId": s.other}),
        "checkout": ("POST", f"/carts/{s.cart}/checkout", None),
    }[mutation]
    return send(session, stack, *request, **headers)


def state(reader: Reader, s: Scenario, mutation: str) -> Any:
    """What a client can see of the scenario, its ids and tag left out: the two carts
    (status, version, quantities) and the customer's carts; and the units of A the shop
    has left (a hold takes them, a removal gives them back), after a delete once the sweep
    of lapsed holds has run (it gives back a deleted cart's whose delete could not; no
    other hold of a case lapses, in its 15 minutes)."""
    settings = reader.settings
    if mutation == "delete_cart":
        sweep = DynamoHoldSweep(
            reader.dynamodb, settings.carts_table, settings.stock_table, settings.hold_counts_table
        )
        sweep.release_lapsed(utc_now())

    def cart(cart_id: str) -> Any:
        try:
            view = reader.call(operations.GET_CART, {"cartId": cart_id})
        except CartNotFound:
            return None
        body = view.body
        lines = {item["productId"].removeprefix(s.tag): item["quantity"] for item in body["items"]}
        return (body["status"], view.headers["ETag"], lines, body["totalAmount"])

    listed = reader.call(operations.LIST_CUSTOMER_CARTS, {"customerId": s.customer}, limit="100")
    summaries = sorted((c["status"], c["itemCount"]) for c in listed.body["carts"])
    stock = reader.dynamodb.get_item(
        TableName=settings.stock_table,
        Key={"productId": {"S": s.product_a}, "shard": {"N": "0"}},
        ConsistentRead=True,
    )["Item"]["available"]["N"]
    return cart(s.cart), cart(s.other), summaries, int(stock)


def empty_tables(stack: Stack) -> None:
    """The tables anew: moto copies the tables a transaction touches, so every case would
    be slower than the one before."""
    for name in stack.settings.table_names.values():
        stack.dynamodb.delete_table(TableName=name)
    prepare_tables(stack.dynamodb, stack.settings)


class Reference(NamedTuple):
    calls: dict[str, int]
    """DynamoDB calls the request makes, by operation."""
    before: Any
    applied: Any


def reference(stacks: Stacks, mutation: str, keyed: bool) -> Reference:
    reader, changes = stacks.reader, stacks.changes
    s = scenario(reader)
    before = state(reader, s, mutation)
    changes.proxy.watch(s.tag, [s.tag, s.cart, s.other])
    with requests.Session() as session:
        response = mutate(session, changes, s, mutation, f"{s.tag}-key" if keyed else None)
    watched = changes.proxy.unwatch(s.tag)
    assert response.status_code in (200, 201, 204), response.text
    return Reference(dict(watched.calls), before, state(reader, s, mutation))


def run_case(stacks: Stacks, case: Case, expected: Reference) -> list[str]:
    """The case's violations (none when it holds)."""
    reader, changes = stacks.reader, stacks.changes
    s = scenario(reader)
    with requests.Session() as session:
        key = f"{s.tag}-key" if case.keyed else None
        changes.proxy.watch(
            s.tag, [s.tag, s.cart, s.other], Fault(case.operation, {case.occurrence}, case.kind)
        )
        try:
            first = mutate(session, changes, s, case.mutation, key)
        finally:
            changes.proxy.unwatch(s.tag)
        after = state(reader, s, case.mutation)
        problems = []
        if first.status_code < 300 and after != expected.applied:
            problems.append(f"answered {first.status_code} but stored {after}")
        if first.status_code >= 300 and after != expected.before:
            problems.append(f"answered {first.status_code} but changed the carts to {after}")
        if after not in (expected.before, expected.applied):
            problems.append(f"applied twice or in part: {after}")
        if key is not None:
            again = mutate(session, changes, s, case.mutation, key)
            if again.status_code not in (200, 201, 204):
                problems.append(f"the retry with its key answered {again.status_code}")
            if state(reader, s, case.mutation) != expected.applied:
                problems.append("the retry with its key did not converge to one application")
            if first.status_code in (200, 201) and again.json() != first.json():
                problems.append("the retry with its key answered otherwise than the first")
        return [f"{case}: {problem}" for problem in problems]


@pytest.mark.timeout(900)
def test_every_mutation_under_every_fault_is_applied_once_and_answered_truthfully(
    chaos_stacks: Stacks, capsys: pytest.CaptureFixture[str]
) -> None:
    cases: list[Case] = []
    violations: list[str] = []
    for mutation in MUTATIONS:
        for keyed in (False, True):
            empty_tables(chaos_stacks.changes)
            expected = reference(chaos_stacks, mutation, keyed)
            taken = STOCK_OF_A - expected.applied[-1]
            assert taken == HELD_AFTER[mutation]
            group = [
                Case(mutation, keyed, operation, occurrence, kind)
                for operation, count in sorted(expected.calls.items())
                for occurrence in range(1, count + 1)
                for kind in FAULT_KINDS
            ]
            with ThreadPoolExecutor(max_workers=CONCURRENT_CASES) as pool:
                found = pool.map(run_case, repeat(chaos_stacks), group, repeat(expected))
                violations += [violation for case_found in found for violation in case_found]
            cases += group
    with capsys.disabled():  # in the test output even when it passes
        print(
            f"\nchaos matrix: {len(cases)} cases ({len(MUTATIONS)} mutations x their DynamoDB"
            f" calls x {len(FAULT_KINDS)} faults x with and without a key)"
        )
    assert violations == [], "\n".join(violations)
