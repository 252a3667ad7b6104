"""A storefront's traffic, for locust (run by `make load`, tools/load/run.py).

Each simulated shopper runs whole sessions: create a cart (as a guest, or as a signed-in
shopper when tokens can be had), add two or three products, change lines in one batch, look
at the cart, leave a note, enter a discount code (now and then a wrong one, as people do),
and check out, or walk away and delete it. Every change carries an Idempotency-Key, as the
demo storefront sends. Requests are named by operation.

An answer the session provokes on purpose (a wrong code's 400) is expected; any other non-2xx
is a failure. Every non-2xx is counted by operation, status and code into the file
LOAD_CODES_FILE names, for the summary.
"""

from __future__ import annotations

import json
import os
import random
import uuid
from collections import Counter
from typing import Any

from locust import HttpUser, between, events, task

PRODUCTS = [
    "ESP-1KG",
    "ESP-250G",
    "FLT-1KG",
    "DECAF-500G",
    "V60-02",
    "FILTER-100",
    "MUG-CER",
    "MUG-DW",
    "AERO-GO",
    "SYRUP-VAN",
    "TEA-SENCHA",
    "CLEAN-TABS",
]
EXPECTED = {("apply_discount_code", 400, "DISCOUNT_CODE_INVALID")}
NON_2XX: Counter[tuple[str, int, str]] = Counter()


def shopper_token() -> str | None:
    """A shopper's token: minted by make run's local issuer, or SHOPPER_TOKEN (a deployed
    stage's), or none (every session a guest's)."""
    if os.environ.get("SHOPPER_TOKEN"):
        return os.environ["SHOPPER_TOKEN"]
    if os.environ.get("LOCAL_SHOPPERS") == "1":
        from tools.local.issuer import LocalIssuer

        return LocalIssuer.from_file().token(f"load-{uuid.uuid4().hex[:12]}")
    return None


class Shopper(HttpUser):
    wait_time = between(0.2, 1.0)
    """A shopper's pause between clicks."""

    def call(self, operation: str, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if method != "GET":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        with self.client.request(
            method, path, json=body, headers=headers, name=operation, catch_response=True
        ) as response:
            if response.status_code < 300:
                response.success()
                return response.json() if response.content else None
            try:
                code = response.json().get("code", "")
            except ValueError:
                code = ""
            NON_2XX[(operation, response.status_code, code)] += 1
            if (operation, response.status_code, code) in EXPECTED:
                response.success()
            else:
                response.failure(f"{response.status_code} {code}")
            return None

    @task
    def session(self) -> None:
        signed_in = random.random() < 0.3
        self.token = shopper_token() if signed_in else None
        created = self.call("create_cart", "POST", "/carts", {"currency": "USD"})
        if created is None:
            return
        cart = created["cartId"]
        self.token = self.token or created.get("cartToken")
        path = f"/carts/{cart}"
        chosen = random.sample(PRODUCTS, random.randint(2, 3))
        for product in chosen:
            body = {"productId": product, "quantity": random.randint(1, 3)}
            self.call("add_item", "POST", f"{path}/items", body)
        operations = [
            {"op": "add", "productId": random.choice(PRODUCTS), "quantity": 1},
            {"op": "set", "productId": chosen[0], "quantity": 2},
        ]
        self.call("change_items", "PATCH", f"{path}/items", {"operations": operations})
        self.call("get_cart", "GET", path)
        self.call("update_cart", "PATCH", path, {"note": "Please ring twice"})
        code = "WELCOME10" if random.random() < 0.8 else "NOSUCHCODE"
        self.call("apply_discount_code", "POST", f"{path}/discount-codes", {"code": code})
        self.call("get_cart", "GET", path)
        if random.random() < 0.6:
            self.call("checkout", "POST", f"{path}/checkout", {"acceptPriceChanges": True})
        else:
            self.call("delete_cart", "DELETE", path)


@events.test_stop.add_listener  # type: ignore[untyped-decorator]
def write_codes(**_: Any) -> None:
    path = os.environ.get("LOAD_CODES_FILE")
    if path:
        rows = [
            {
                "operation": op,
                "status": status,
                "code": code,
                "count": count,
                "expected": (op, status, code) in EXPECTED,
            }
            for (op, status, code), count in sorted(NON_2XX.items())
        ]
        with open(path, "w") as out:
            json.dump(rows, out)
