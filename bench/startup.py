"""Starting up: a cold start against a minimal app (and an agent's, bench/agents.py), and
the size of the deployment package a cold start loads."""

from __future__ import annotations

import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from bench import agents
from bench.harness import BENCH_CUSTOMER, Api, Figures
from chalicelib.service import cart_tokens
from chalicelib.service.keys import KeyRing
from tools.stage import PROJECT_DIR

COLD_STARTS = int(os.environ.get("BENCH_COLD_STARTS", "12"))


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
