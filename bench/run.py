"""`make bench`: every performance figure of the service, measured on this machine.

Starts moto's DynamoDB on loopback (in a process of its own, as DynamoDB is never in the
Lambda's) with the tables and the sample catalog, then measures
  1. sequential DynamoDB round trips per operation (bench.round_trips), what an
     Idempotency-Key adds to a request (round trips, write capacity), and what three
     promotions add to get_cart (bench.promotions),
  2. service overhead: each operation through the app's handler against the bare boto3
     calls it needs (bench.baseline), same server, same run, medians,
  3. cold start: import and first get_cart in a fresh interpreter, against a minimal app,
  4. the size of the deployment package,
  5. throughput of a storefront mix over HTTP against chalice local,
and writes BENCHMARKS.md and bench/results.json.
"""

from __future__ import annotations

import compileall
import functools
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests
from botocore.exceptions import ClientError, ReadTimeoutError

from bench import agents
from bench.calls import CallRecorder, replay
from bench.delivery import measure_delivery
from bench.promotions import measure_promotions
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.service import cart_tokens
from chalicelib.service.keys import KeyRing
from chalicelib.settings import Settings
from tools.local.chalice_local import OVERRIDES_VARIABLE
from tools.local.event_stream import EventRelay
from tools.local.gateway_event import LambdaContext, gateway_event
from tools.local.run import fresh_key_ring
from tools.local.stack import (
    LOCAL_STAGE,
    chalice_local,
    dynamodb_server_process,
    free_port,
    local_aws_environment,
    prepare_tables,
)
from tools.stage import PROJECT_DIR, stage_environment, stage_settings

RESULTS_FILE = PROJECT_DIR / "bench" / "results.json"
REPORT_FILE = PROJECT_DIR / "BENCHMARKS.md"
JSON = {"Content-Type": "application/json"}
OVERHEAD_SAMPLES = int(os.environ.get("BENCH_SAMPLES", "100"))
COLD_STARTS = int(os.environ.get("BENCH_COLD_STARTS", "12"))
THROUGHPUT_SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
CLIENTS = 8
BENCH_READ_TIMEOUT = 10.0
BENCH_CUSTOMER = "bench"
TOKEN_CHECKS = 1000


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


def main() -> None:
    started = time.monotonic()
    figures = Figures()
    # The service logs a JSON line per request to stdout, as in Lambda. Formatting them is
    # part of what is measured; printing them to this terminal is not. Figures go to stderr.
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (for the whole run)
    with dynamodb_server_process() as endpoint:
        # The round trips, overhead and throughput are a trusted backend's (no token checks);
        # the cold start and the token checks are measured in shopper mode, below.
        environment = {
            **stage_environment(LOCAL_STAGE),
            **local_aws_environment(endpoint),
            "API_AUTH": "iam",
            OVERRIDES_VARIABLE: "API_AUTH",
            "TOKEN_KEYS": fresh_key_ring(),
            "DYNAMODB_READ_TIMEOUT": str(BENCH_READ_TIMEOUT),
        }
        os.environ.update(environment)
        import app as app_module
        from chalicelib import wiring

        # moto, not DynamoDB, sometimes stalls past the service's 1 s read timeout (its heap
        # holds every stream record), and botocore's retry of a transaction is then applied
        # again, as moto ignores ClientRequestToken: the bench waits instead.
        settings = stage_settings(LOCAL_STAGE)._replace(dynamodb_read_timeout=BENCH_READ_TIMEOUT)
        client = wiring.dynamodb_client(settings)
        prepare_tables(client, settings)

        def new_container() -> None:
            app_module.services.use(wiring.build(settings, client))

        new_container()
        api = Api(app_module.app)
        measure_round_trips(api, client, new_container, figures)
        measure_keyed_requests(api, client, figures)
        measure_promotions(
            api, client, lambda: wiring.build(settings, client), app_module.services.use, figures
        )
        measure_delivery(
            api, client, lambda: wiring.build(settings, client), app_module.services.use, figures
        )
        measure_overhead(api, client, wiring.dynamodb_client(settings), figures)
        cart_for_cold_start = api.cart_with_lines(3)
        measure_token_checks(environment["TOKEN_KEYS"], figures)
        measure_cold_start(
            {**environment, "API_AUTH": "shopper"}, BENCH_CUSTOMER, cart_for_cold_start, figures
        )
        measure_agents(api, client, wiring.dynamodb_client(settings), environment, figures)
        requests.post(f"{endpoint}/moto-api/reset", timeout=10)  # small tables again
        prepare_tables(client, settings)
        measure_events(api, endpoint, settings, figures)
        measure_throughput(environment, figures)
    measure_package(figures)
    elapsed = time.monotonic() - started
    write_reports(figures, elapsed)


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
        resource = next(template for pattern, template in self.routes if pattern.match(path))
        response = self.app(gateway_event(method, resource, path, body, headers), LambdaContext())
        if response["statusCode"] >= 300:
            raise RuntimeError(f"{method} {path}: {response['statusCode']} {response['body']}")
        return json.loads(response["body"]) if response["body"] else None

    def cart_with_lines(self, count: int) -> str:
        cart = str(self.call("POST", "/carts", {"customerId": BENCH_CUSTOMER})["cartId"])
        for product in ("ESP-1KG", "FILTER-100", "MUG-CER", "SCALE-01")[:count]:
            self.call("POST", f"/carts/{cart}/items", {"productId": product, "quantity": 1})
        return cart


# -- 1. round trips -----------------------------------------------------------------------

ROUND_TRIP_TARGETS = {
    "create_cart": 1,
    "get_cart (prices cached)": 1,
    "get_cart (prices not cached)": 2,
    "add_item": 2,
    "update_cart_item": 2,
    "remove_item": 2,
    "change_items (20 operations)": 2,
    "delete_cart (100 lines)": 3,
}
BATCH = {
    "operations": [
        {"op": "add", "productId": "SCALE-01", "quantity": 1},
        {"op": "set", "productId": "ESP-1KG", "quantity": 2},
        {"op": "add", "productId": "FILTER-100", "quantity": 1},
        {"op": "add", "productId": "MUG-CER", "quantity": 1},
    ]
    * 5
}
"""A 20-operation batch on a cart of 3 lines (ESP-1KG, FILTER-100, MUG-CER)."""


def measure_round_trips(
    api: Api, client: Any, new_container: Callable[[], None], figures: Figures
) -> None:
    counter = CallRecorder(simulated_latency=0.005)
    counter.attach(client)

    def count(method: str, path: str, body: Any = None) -> int:
        with counter.recording():
            api.call(method, path, body)
        return counter.round_trips

    cart = api.cart_with_lines(3)
    api.call("GET", f"/carts/{cart}")
    api.call("PATCH", f"/carts/{api.cart_with_lines(3)}/items", BATCH)  # its prices cached too
    counts = {
        "create_cart": count("POST", "/carts", {"customerId": "bench"}),
        "get_cart (prices cached)": count("GET", f"/carts/{cart}"),
        "add_item": count("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 1}),
        "update_cart_item": count("PUT", f"/carts/{cart}/items/ESP-1KG", {"quantity": 3}),
        "change_items (20 operations)": count("PATCH", f"/carts/{cart}/items", BATCH),
        "remove_item": count("DELETE", f"/carts/{cart}/items/MUG-CER"),
    }
    new_container()  # no prices cached
    counts["get_cart (prices not cached)"] = count("GET", f"/carts/{cart}")
    full = api.call("POST", "/carts", {"customerId": "bench"})["cartId"]
    bulk = [f"BENCH-{i}" for i in range(100)]
    load_products(client, bulk)
    for product in bulk:
        api.call("POST", f"/carts/{full}/items", {"productId": product, "quantity": 1})
    counts["delete_cart (100 lines)"] = count("DELETE", f"/carts/{full}")
    counter.detach(client)
    for name, target in ROUND_TRIP_TARGETS.items():
        op = "at most" if name.startswith("delete") else "exactly"
        met = counts[name] <= target if op == "at most" else counts[name] == target
        figures.add(f"round trips: {name}", counts[name], "", f"{op} {target}", met)


def measure_keyed_requests(api: Api, client: Any, figures: Figures) -> None:
    """What an Idempotency-Key adds to a request: round trips, and write capacity by
    DynamoDB's rules (1 WCU per KB written, 2 in a transaction): the receipt written in the
    change's transaction, the reply kept afterwards, and for a create, its row written
    transactionally rather than by a PutItem."""
    counter = CallRecorder(simulated_latency=0.005)
    counter.attach(client)
    settings = stage_settings(LOCAL_STAGE)

    def trips(method: str, path: str, body: Any, headers: dict[str, str]) -> int:
        with counter.recording():
            api.call(method, path, body, headers)
        return counter.round_trips

    cart = api.cart_with_lines(3)
    requests_ = {
        "create_cart": ("POST", "/carts", {"customerId": "bench"}),
        "add_item": ("POST", f"/carts/{cart}/items", {"productId": "ESP-1KG", "quantity": 1}),
    }
    for name, (method, path, body) in requests_.items():
        plain = trips(method, path, body, {})
        with counter.recording():
            api.call(method, path, body)
        written = [params["Item"] for op, params in counter.calls if op == "PutItem"]
        key = f"bench-{uuid.uuid4()}"
        keyed = trips(method, path, body, {"Idempotency-Key": key})
        receipt = next(
            item
            for item in client.scan(TableName=settings.idempotency_table)["Items"]
            if item["id"]["S"].endswith(key)
        )
        without_reply = {k: v for k, v in receipt.items() if k != "reply"}
        wcu = 2 * kilobytes(without_reply) + kilobytes(receipt)
        wcu += sum(kilobytes(item) for item in written)  # a create's row, now transactional
        figures.add(f"Idempotency-Key on {name}: round trips added", keyed - plain, "", "", None)
        figures.add(
            f"Idempotency-Key on {name}: write capacity added (receipt {item_bytes(receipt)} B"
            " with its reply)",
            wcu,
            "WCU",
            "",
            None,
        )
    counter.detach(client)


def item_bytes(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB counts it (names and values; numbers about half their
    digits)."""
    return sum(len(name.encode()) + _value_bytes(value) for name, value in item.items())


def _value_bytes(value: dict[str, Any]) -> int:
    kind, content = next(iter(value.items()))
    if kind == "S":
        return len(content.encode())
    if kind == "B":  # a deflated reply
        return len(content)
    if kind == "N":
        return (len(content.lstrip("-").replace(".", "")) + 1) // 2 + 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_bytes(v) + 1 for k, v in content.items())
    return 1


def kilobytes(item: dict[str, Any]) -> int:
    return -(-item_bytes(item) // 1024)


def load_products(client: Any, product_ids: list[str]) -> None:
    settings = stage_settings(LOCAL_STAGE)
    DynamoProductRepository(client, settings.products_table).put_many(
        Product(pid, "Bench product", Money(Decimal("1.00"), "USD")) for pid in product_ids
    )


# -- 2. overhead --------------------------------------------------------------------------


def measure_overhead(api: Api, client: Any, bare_client: Any, figures: Figures) -> None:
    """Median time of each operation through the app / median time of the very same
    DynamoDB requests made with a bare boto3 client (bench.calls.replay)."""
    recorder = CallRecorder()
    recorder.attach(client)
    operations: dict[str, tuple[str, str, Any]] = {
        "get_cart": ("GET", "/carts/{cart}", None),
        "add_item": ("POST", "/carts/{cart}/items", {"productId": "SCALE-01", "quantity": 1}),
        "update_cart_item": ("PUT", "/carts/{cart}/items/ESP-1KG", {"quantity": 4}),
        "remove_item": ("DELETE", "/carts/{cart}/items/MUG-CER", None),
        "change_items (20 operations)": ("PATCH", "/carts/{cart}/items", BATCH),
        "delete_cart": ("DELETE", "/carts/{cart}", None),
        "create_cart": ("POST", "/carts", {"customerId": "bench"}),
    }
    for name, (method, path, body) in operations.items():
        app_times: list[float] = []
        bare_times: list[float] = []
        while len(bare_times) < OVERHEAD_SAMPLES:
            if name == "create_cart":
                ours = theirs = ""
            else:
                ours, theirs = api.cart_with_lines(3), api.cart_with_lines(3)
                api.call("GET", f"/carts/{ours}")  # a warm container: prices cached
            with recorder.recording():
                started = time.perf_counter()
                answer = api.call(method, path.format(cart=ours), body)
                app_times.append(time.perf_counter() - started)
            if name == "create_cart":  # the same request, for a cart that does not exist yet
                ours, theirs = answer["cartId"], str(uuid.uuid4())
            waves = recorder.waves
            try:
                bare_times.append(
                    timed(functools.partial(replay, bare_client, waves, ours, theirs))
                )
            except (ClientError, ReadTimeoutError) as error:  # the yardstick failed: again
                print(f"replay of {name} failed ({error}); sampled again", file=sys.stderr)
                app_times.pop()
            if name != "delete_cart":  # keep the tables small: moto copies them per write
                for cart in (ours, theirs):
                    api.call("DELETE", f"/carts/{cart}")
        app, bare = statistics.median(app_times), statistics.median(bare_times)
        ratio = round(app / bare, 3)
        figures.add(
            f"overhead: {name} (app {app * 1000:.2f} ms / same requests bare {bare * 1000:.2f} ms)",
            ratio,
            "x",
            "at most 1.15",
            ratio <= 1.15,
        )


def timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


# -- 3. cold start ------------------------------------------------------------------------


# -- events --------------------------------------------------------------------------------

EVENT_CARTS = 25
"""Carts of the events figure: each is created, gets 3 lines and is checked out."""


def measure_events(api: Api, endpoint: str, settings: Settings, figures: Figures) -> None:
    """The stream consumer, off the request path (the round trips and overheads above are
    the requests'): how many events a committed change yields, and what the consumer calls
    and spends per change, on a fresh stream."""
    relay = EventRelay(endpoint, settings, tap_name="bench")
    calls: Counter[str] = Counter()
    for events_client in relay.clients:
        events_client.meta.events.register(
            "before-call", lambda model, **_: calls.update([model.name])
        )
    for cart in [api.cart_with_lines(3) for _ in range(EVENT_CARTS)]:
        api.call("POST", f"/carts/{cart}/checkout")
    changes = EVENT_CARTS * 5
    started = time.perf_counter()
    relay.pump.pump()
    elapsed = time.perf_counter() - started
    published = relay.tap.drain()
    distinct = len({event["detail"]["eventId"] for event in published})
    figures.add(
        f"events: distinct eventIds per committed change ({changes} changes)",
        round(distinct / changes, 3),
        "",
        "exactly 1",
        distinct == changes,
    )
    figures.add(
        "events: delivered twice (a batch the consumer reported failed, sent again)",
        len(published) - distinct,
    )
    figures.add(
        "events: PutEvents calls per 100 changes", round(calls["PutEvents"] * 100 / changes)
    )
    figures.add(
        "events: the consumer's DynamoDB writes per change (the abandonment index)",
        round(calls["UpdateItem"] / changes, 2),
    )
    figures.add(
        "events: the consumer's time per change, batches of 100 (moto)",
        round(elapsed * 1000 / changes, 2),
        "ms",
    )


def measure_token_checks(key_ring: str, figures: Figures) -> None:
    """What checking a token costs per request once the issuer's keys are cached, as in a
    warm authorizer: a shopper's ID token (RS256) and a guest's cart token."""
    from chalicelib.edge.auth import TokenVerifier
    from chalicelib.service import cart_tokens
    from chalicelib.service.keys import KeyRing
    from tools.local.issuer import local_issuer

    keys = KeyRing.parse(key_ring)
    with local_issuer() as issuer:
        environment = issuer.verifier_environment()
        verifier = TokenVerifier(
            environment["SHOPPER_ISSUER"], environment["SHOPPER_AUDIENCE"], lambda: keys
        )
        tokens = {
            "shopper token (RS256 JWT)": f"Bearer {issuer.token('bench')}",
            "cart token (HMAC)": f"Bearer {cart_tokens.issue(str(uuid.uuid4()), keys)}",
        }
        for kind, header in tokens.items():
            verifier.caller(header)  # fetches and caches the issuer's keys, imports PyJWT
            seconds = statistics.median(
                timed(lambda header=header: verifier.caller(header)) for _ in range(TOKEN_CHECKS)
            )
            figures.add(
                f"token check per request, cache warm: {kind}",
                round(seconds * 1000, 3),
                "ms",
                "at most 1",
                seconds <= 0.001,
            )


def measure_cold_start(
    environment: dict[str, str], customer: str, cart: str, figures: Figures
) -> None:
    """Fresh interpreters, alternating the service and the minimal app, twice: with the
    app's bytecode compiled beforehand (as `make package` ships it), and compiled at start
    (as `chalice deploy` ships the app). Libraries have their bytecode either way, as the
    Lambda runtime's boto3 does. The service runs in shopper mode: its request carries the
    identity the authorizer found (API Gateway's context), which the route checks."""
    minimal_dir = PROJECT_DIR / "bench" / "minimal_app"
    app_sources = [PROJECT_DIR / "app.py", PROJECT_DIR / "chalicelib", minimal_dir / "app.py"]
    env = {**os.environ, **environment, "PYTHONDONTWRITEBYTECODE": "1"}
    for variant, compiled in (("bytecode shipped", True), ("compiled at start", False)):
        remove_bytecode(app_sources)
        for source in app_sources if compiled else ():
            if source.is_dir():
                compileall.compile_dir(source, quiet=1)
            else:
                compileall.compile_file(source, quiet=1)
        samples: dict[str, list[float]] = {"service": [], "minimal": []}
        for _ in range(COLD_STARTS):
            for label, app_dir in (("service", PROJECT_DIR), ("minimal", minimal_dir)):
                samples[label].append(cold_start(app_dir, customer, cart, env))
        remove_bytecode(app_sources)
        service, minimal = (statistics.median(samples[k]) for k in ("service", "minimal"))
        ratio = round(service / minimal, 3)
        figures.add(
            f"cold start, {variant}: import + first get_cart (service {service * 1000:.0f} ms"
            f" / minimal app {minimal * 1000:.0f} ms)",
            ratio,
            "x",
            "at most 1.25",
            ratio <= 1.25,
        )


def cold_start(app_dir: Path, customer: str, cart: str, env: dict[str, str]) -> float:
    return float(cold_start_run(app_dir, customer, cart, env)["seconds"])


def cold_start_run(
    app_dir: Path, customer: str, cart: str, env: dict[str, str], *mode: str
) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, "-m", "bench.cold_start", str(app_dir), customer, cart, *mode],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    if result["status"] != 200:
        raise RuntimeError(f"cold start of {app_dir} answered {result['status']}")
    return result


def remove_bytecode(sources: list[Path]) -> None:
    for source in sources:
        folder = source if source.is_dir() else source.parent
        shutil.rmtree(folder / "__pycache__", ignore_errors=True)


def measure_agents(
    api: Api, client: Any, bare_client: Any, environment: dict[str, str], figures: Figures
) -> None:
    """UCP's MCP tool calls (bench/agents.py): round trips, overhead, cold start."""
    agents.measure_round_trips(api, client, figures)
    agents.measure_overhead(api, client, bare_client, figures)
    guest_cart = agents.new_cart(api)  # a trusted caller's cart: its UCP id is its cartId
    ucp_id = cart_tokens.issue(guest_cart, KeyRing.parse(environment["TOKEN_KEYS"]))
    env = {**os.environ, **environment, "API_AUTH": "shopper", "PYTHONDONTWRITEBYTECODE": "1"}
    minimal = PROJECT_DIR / "bench" / "minimal_app"
    cart_for_carts = api.cart_with_lines(3)
    runs = {
        "mcp": lambda: cold_start_run(PROJECT_DIR, BENCH_CUSTOMER, ucp_id, env, "mcp"),
        "minimal": lambda: cold_start_run(minimal, BENCH_CUSTOMER, cart_for_carts, env),
        "carts": lambda: cold_start_run(PROJECT_DIR, BENCH_CUSTOMER, cart_for_carts, env),
    }
    agents.measure_cold_start(lambda mode: runs[mode](), figures)


# -- 4. package size ----------------------------------------------------------------------


def measure_package(figures: Figures) -> None:
    from tools.deploy.package import package

    with tempfile.TemporaryDirectory() as outdir:
        package("prod", Path(outdir) / "out")
        archive = Path(outdir) / "out" / "deployment.zip"
        size = archive.stat().st_size
        with zipfile.ZipFile(archive) as zipped:
            tops: dict[str, int] = {}
            for info in zipped.infolist():
                top = info.filename.split("/")[0]
                tops[top] = tops.get(top, 0) + info.compress_size
    largest = ", ".join(
        f"{name} {bytes_ / 1024:.0f} KiB"
        for name, bytes_ in sorted(tops.items(), key=lambda kv: -kv[1])[:4]
    )
    figures.add(
        f"deployment package (largest: {largest})",
        round(size / 1024),
        "KiB",
        "small; boto3 from the Lambda runtime",
        "boto3" not in tops,
    )


# -- 5. throughput ------------------------------------------------------------------------


def measure_throughput(environment: dict[str, str], figures: Figures) -> None:
    port = free_port()
    with open(os.devnull, "wb") as quiet, chalice_local(port, environment, output=quiet):
        base = f"http://127.0.0.1:{port}"
        latencies: list[float] = []
        errors = 0
        lock = threading.Lock()
        deadline = time.monotonic() + THROUGHPUT_SECONDS

        def client(seed: int) -> None:
            nonlocal errors
            rng = random.Random(seed)
            with requests.Session() as session:
                cart = session.post(f"{base}/carts", json={"customerId": f"load-{seed}"}).json()[
                    "cartId"
                ]
                for product in ("ESP-1KG", "FILTER-100", "MUG-CER"):
                    session.post(
                        f"{base}/carts/{cart}/items", json={"productId": product, "quantity": 1}
                    )
                while time.monotonic() < deadline:
                    roll = rng.random()
                    started = time.perf_counter()
                    if roll < 0.7:
                        response = session.get(f"{base}/carts/{cart}")
                    elif roll < 0.9:
                        product = rng.choice(("ESP-1KG", "FILTER-100", "MUG-CER", "SCALE-01"))
                        response = session.post(
                            f"{base}/carts/{cart}/items", json={"productId": product, "quantity": 1}
                        )
                    else:
                        response = session.put(
                            f"{base}/carts/{cart}/items/ESP-1KG",
                            json={"quantity": rng.randint(1, 5)},
                        )
                    elapsed = time.perf_counter() - started
                    with lock:
                        latencies.append(elapsed)
                        errors += response.status_code >= 500

        started = time.monotonic()
        threads = [threading.Thread(target=client, args=(seed,)) for seed in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
    latencies.sort()
    figures.add(
        "throughput: storefront mix, 8 clients, chalice local + moto",
        round(len(latencies) / wall, 1),
        "requests/s",
    )
    figures.add("throughput: p50 latency", round(percentile(latencies, 50) * 1000, 1), "ms")
    figures.add("throughput: p99 latency", round(percentile(latencies, 99) * 1000, 1), "ms")
    figures.add("throughput: server errors", errors, "", "0", errors == 0)


def percentile(sorted_values: list[float], p: float) -> float:
    index = min(len(sorted_values) - 1, round(p / 100 * (len(sorted_values) - 1)))
    return sorted_values[index]


# -- report -------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def figure_key(figure: str) -> str:
    """A figure's name without its measured details (a parenthesis with a number):
    `overhead: get_cart`, `round trips: get_cart (prices cached)`."""
    return re.sub(r" \([^)]*\d[^)]*\)", "", figure)


def compared(figures: Figures, previous: dict[str, Any]) -> list[str]:
    """The round trips and overheads beside those of the run before (bench/results.json as
    it was): what a change that should not touch the request path must leave alone."""
    before = {figure_key(row["figure"]): row for row in previous.get("figures", [])}
    lines = [
        "",
        "## Against the previous run",
        "",
        "The request path's figures beside those of the run before this one "
        "(bench/results.json as it was).",
        "",
        "| figure | before | now |",
        "| --- | --- | --- |",
    ]
    for row in figures.rows:
        key = figure_key(row["figure"])
        if key in before and key.startswith(("round trips", "overhead", "Idempotency-Key")):
            was = before[key]
            lines.append(f"| {key} | {was['value']} {was['unit']} | {row['value']} {row['unit']} |")
    return lines


def write_reports(figures: Figures, elapsed: float) -> None:
    about = machine()
    previous = json.loads(RESULTS_FILE.read_text()) if RESULTS_FILE.exists() else {}
    RESULTS_FILE.write_text(
        json.dumps(
            {"machine": about, "seconds": round(elapsed, 1), "figures": figures.rows}, indent=2
        )
        + "\n"
    )
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run.py); the same figures are in `bench/results.json`.",
        f"Machine: {about['cpu']}, {about['cores']} cores, Python {about['python']}, "
        f"{about['platform']}. The run took {elapsed:.0f} s.",
        "",
        "DynamoDB is moto in server mode on loopback, so absolute times are local ones; the",
        "ratios compare the service with the bare boto3 calls (or a minimal app) on the same",
        "server in the same run.",
        "",
        "| figure | value | target | met |",
        "| --- | --- | --- | --- |",
    ]
    for row in figures.rows:
        met = "" if row["met"] is None else ("yes" if row["met"] else "**no**")
        lines.append(
            f"| {row['figure']} | {row['value']} {row['unit']} | {row['target']} | {met} |"
        )
    lines += compared(figures, previous)
    REPORT_FILE.write_text("\n".join(lines) + "\n")
    print(f"wrote {REPORT_FILE.name} and {RESULTS_FILE.relative_to(PROJECT_DIR)}", file=sys.stderr)


if __name__ == "__main__":
    main()
