"""What DynamoDB bills: each operation on a typical cart and on a cart at its size budget, a
storefront session with the stream consumer's writes, and the scheduled sweeps
(bench/billing.py computes the units as DynamoDB does). Every change is keyed, as the
storefront and the TypeScript client send it. docs/operations.md ("What it costs") gives the
prices these figures are multiplied by, and their date."""

from __future__ import annotations

import random
import string
import uuid
from collections.abc import Callable
from typing import Any

from bench.billing import Bill
from bench.harness import BENCH_CUSTOMER, Api, Figures
from bench.request_path import load_products
from chalicelib.domain.cart import MAX_ATTRIBUTE_VALUE, MAX_LINES
from chalicelib.domain.size import MAX_CART_TEXT_BYTES

WRU_PRICE = 0.625
"""US dollars per million write request units, on-demand, us-east-1 (since 2024-11-01)."""
RRU_PRICE = 0.125
"""US dollars per million read request units, on-demand, us-east-1 (since 2024-11-01)."""
EVENT_PRICE = 1.00
"""US dollars per million custom events put on an EventBridge bus."""

SESSION = "create, 3 adds, a quantity change, 4 reads, a code, checkout"
MINUTES_A_MONTH = 30 * 24 * 60


def _keyed() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def _text(length: int, rng: random.Random) -> str:
    """Text that deflates about as a shopper's does (not as a run of one letter)."""
    return "".join(rng.choices(string.ascii_letters + string.digits + " ", k=length))


Send = Callable[[str, str, Any, "dict[str, str] | None"], Any]
"""A request: method, path, body, headers; answers the cart's JSON."""

Request = tuple[str, str, str, Any]

TYPICAL: tuple[Request, ...] = (
    ("create_cart", "POST", "/carts", {"customerId": BENCH_CUSTOMER}),
    ("add_item", "POST", "/carts/{cart}/items", {"productId": "MUG-CER", "quantity": 1}),
    ("get_cart", "GET", "/carts/{cart}", None),
    ("update_cart_item", "PUT", "/carts/{cart}/items/ESP-1KG", {"quantity": 2}),
    ("apply_discount_code", "POST", "/carts/{cart}/discount-codes", {"code": "WELCOME10"}),
    ("remove_item", "DELETE", "/carts/{cart}/items/MUG-CER", None),
    ("checkout", "POST", "/carts/{cart}/checkout", {}),
)
"""Each operation on a cart of 3 lines (2 before the add), in this order."""
AT_BUDGET: tuple[Request, ...] = (
    ("get_cart", "GET", "/carts/{cart}", None),
    ("add_item", "POST", "/carts/{cart}/items", {"productId": "MUG-CER", "quantity": 1}),
    ("update_cart_item", "PUT", "/carts/{cart}/items/MUG-CER", {"quantity": 2}),
    ("remove_item", "DELETE", "/carts/{cart}/items/MUG-CER", None),
    ("checkout", "POST", "/carts/{cart}/checkout", {}),
)
"""Each operation on a cart of 99 lines at its text budget (the 100th added)."""


def units(bill: Bill, send: Send, method: str, path: str, body: Any = None) -> str:
    """What one request costs, as `W WRU + R RRU`; a change keyed, as a storefront sends it."""
    with bill.billing():
        send(method, path, body, _keyed() if method != "GET" else None)
    return f"{bill.wru:g} WRU + {bill.rru:g} RRU"


def typical_costs(send: Send, bill: Bill, cart: str) -> dict[str, str]:
    """Each operation's units on `cart` (2 lines, their prices cached)."""
    return {
        name: units(bill, send, method, path.format(cart=cart), body)
        for name, method, path, body in TYPICAL
    }


def storefront_session(send: Send) -> None:
    """create, 3 adds, a quantity change, 4 reads, a code, checkout; every change keyed."""
    cart = send("POST", "/carts", {"customerId": BENCH_CUSTOMER}, _keyed())["cartId"]
    for product in ("ESP-1KG", "FILTER-100", "MUG-CER"):
        send("POST", f"/carts/{cart}/items", {"productId": product, "quantity": 1}, _keyed())
    send("PUT", f"/carts/{cart}/items/ESP-1KG", {"quantity": 2}, _keyed())
    for _ in range(4):
        send("GET", f"/carts/{cart}", None, None)
    send("POST", f"/carts/{cart}/discount-codes", {"code": "WELCOME10"}, _keyed())
    send("POST", f"/carts/{cart}/checkout", {}, _keyed())


def measure_costs(api: Api, client: Any, bill: Bill, figures: Figures) -> None:
    """Each operation's units, on a cart of 3 lines and on one of 99 lines at its text budget
    (the 100th added)."""
    typical = api.cart_with_lines(2)
    api.call("GET", f"/carts/{typical}")  # prices cached, as in a warm container
    for operation, cost in typical_costs(api.call, bill, typical).items():
        figures.add(f"units: {operation} (cart of 3 lines)", cost)
    budget = _cart_at_budget(api, client)
    for name, method, path, body in AT_BUDGET:
        cost = units(bill, api.call, method, path.format(cart=budget), body)
        figures.add(f"units: {name} (cart at its size budget)", cost)


def _cart_at_budget(api: Api, client: Any) -> str:
    """99 lines whose attributes hold the cart's whole text budget."""
    products = [f"BUDGET-{index}" for index in range(MAX_LINES - 1)]
    load_products(client, products)
    rng = random.Random(35)
    per_line = MAX_CART_TEXT_BYTES // len(products) - 10  # a pair's key: about 3 bytes

    def attributes(rng: random.Random) -> dict[str, str]:  # pairs of at most 256 characters
        sizes = [MAX_ATTRIBUTE_VALUE] * (per_line // MAX_ATTRIBUTE_VALUE)
        return {
            f"a{n}": _text(size, rng)
            for n, size in enumerate([*sizes, per_line % MAX_ATTRIBUTE_VALUE])
        }

    cart = str(api.call("POST", "/carts", {"customerId": BENCH_CUSTOMER})["cartId"])
    for start in range(0, len(products), 25):
        operations = [
            {"op": "add", "productId": product, "quantity": 1, "attributes": attributes(rng)}
            for product in products[start : start + 25]
        ]
        api.call("PATCH", f"/carts/{cart}/items", {"operations": operations})
    return cart


def measure_session(
    api: Api, bill: Bill, consumer_bill: Bill, pump: Callable[[], int], figures: Figures
) -> None:
    """A storefront session's units, the stream consumer's for its changes included (it is
    handed each change's records as it commits, as Lambda's stream polling does within a
    second), and what a million such sessions cost at on-demand prices."""
    api.call("GET", f"/carts/{api.cart_with_lines(3)}")  # prices cached, as in a warm container
    pump()  # the consumer starts after what came before
    events, requests_units, consumer_units = 0, [0.0, 0.0], 0.0

    def send(method: str, path: str, body: Any, headers: dict[str, str] | None) -> Any:
        nonlocal events, consumer_units
        with bill.billing():
            answer = api.call(method, path, body, headers)
        requests_units[0] += bill.wru
        requests_units[1] += bill.rru
        with consumer_bill.billing():
            events += pump()
        consumer_units += consumer_bill.wru
        return answer

    storefront_session(send)
    (wru, rru), consumer = requests_units, consumer_units
    figures.add(f"units: a storefront session ({SESSION})", f"{wru:g} WRU + {rru:g} RRU")
    figures.add("units: the stream consumer's writes for that session", f"{consumer:g} WRU")
    figures.add("events: that session's events on the bus", events)
    dollars = (wru + consumer) * WRU_PRICE + rru * RRU_PRICE
    figures.add("cost: DynamoDB per million such sessions", round(dollars, 2), "USD")
    figures.add(
        "cost: EventBridge per million such sessions", round(events * EVENT_PRICE, 2), "USD"
    )


def measure_sweeps(
    sweeps: dict[str, tuple[Callable[[], object], int, Bill]], figures: Figures
) -> None:
    """What each scheduled sweep's run costs with nothing to do (the fixed part of the bill:
    the indexes read), and a month of its runs."""
    for name, (run, every_minutes, bill) in sweeps.items():
        with bill.billing():
            run()
        month = bill.rru * MINUTES_A_MONTH / every_minutes
        figures.add(
            f"units: {name}, each run with nothing to do (every {every_minutes} min)",
            f"{bill.wru:g} WRU + {bill.rru:g} RRU; {round(month * RRU_PRICE / 1e6, 3)} USD a month",
        )
