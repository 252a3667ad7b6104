"""What every measure of `make bench` shares: the figures it reports, and the app called as
Lambda calls it."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable
from typing import Any

from tools.local.gateway_event import LambdaContext, gateway_event

BENCH_CUSTOMER = "bench"


class Figures:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(
        self, figure: str, value: Any, unit: str = "", target: str = "", met: bool | None = None
    ) -> None:
        self.rows.append(
            {"figure": figure, "value": value, "unit": unit, "target": target, "met": met}
        )
        verdict = "" if met is None else (" met" if met else " NOT MET")
        print(f"{figure}: {value} {unit} {target}{verdict}", file=sys.stderr, flush=True)


class Api:
    """Requests as Lambda hands them to the app: API Gateway's proxy event (the route
    already matched, as API Gateway does) to the app's handler. chalice.test's client would
    add its local gateway's route matching and environment patching, which Lambda never
    runs."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.routes = [
            (re.compile("^" + re.sub(r"\{\w+\}", "[^/]+", path) + "$"), path) for path in app.routes
        ]

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Any:
        return self.timed_call(method, path, body, headers)[0]

    def timed_call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[Any, float]:
        """The answer, and the seconds the app's handler took: what Lambda bills, without
        API Gateway's part (matching the route, building the event) or the client's
        (reading the body)."""
        resource = next(template for pattern, template in self.routes if pattern.match(path))
        event, context = gateway_event(method, resource, path, body, headers), LambdaContext()
        started = time.perf_counter()
        response = self.app(event, context)
        seconds = time.perf_counter() - started
        if response["statusCode"] >= 300:
            raise RuntimeError(f"{method} {path}: {response['statusCode']} {response['body']}")
        return (json.loads(response["body"]) if response["body"] else None), seconds

    def cart_with_lines(self, count: int) -> str:
        cart = str(self.call("POST", "/carts", {"customerId": BENCH_CUSTOMER})["cartId"])
        for product in ("ESP-1KG", "FILTER-100", "MUG-CER", "SCALE-01")[:count]:
            self.call("POST", f"/carts/{cart}/items", {"productId": product, "quantity": 1})
        return cart


def timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def percentile(sorted_values: list[float], p: float) -> float:
    index = min(len(sorted_values) - 1, round(p / 100 * (len(sorted_values) - 1)))
    return sorted_values[index]
