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
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from bench import agents
from bench.harness import BENCH_CUSTOMER, Api, Figures
from chalicelib.service import cart_tokens
from chalicelib.service.keys import KeyRing
from tools.deploy import deploy
from tools.stage import PROJECT_DIR

COLD_STARTS = int(os.environ.get("BENCH_COLD_STARTS", "24"))
"""Pairs per figure: on this 2-core machine, one pair's ratio swings by a quarter either way,
and the median of 12 still moved by 0.2 between runs of the same code."""


def measure_cold_start(
    environment: dict[str, str], customer: str, cart: str, figures: Figures
) -> None:
    """Fresh interpreters, alternating the service and the minimal app, twice: with every
    module's bytecode shipped (as `make package` ships it), and as `make deploy` has
    `chalice deploy` ship it (chalicelib's bytecode, checked by hash; app.py and the minimal
    app compiled at start). Libraries have their bytecode either way, as the Lambda
    runtime's boto3 does. The service runs in shopper mode: its request carries the
    identity the authorizer found (API Gateway's context), which the route checks."""
    minimal_dir = PROJECT_DIR / "bench" / "minimal_app"
    app_sources = [PROJECT_DIR / "app.py", PROJECT_DIR / "chalicelib", minimal_dir / "app.py"]
    env = {**os.environ, **environment, "PYTHONDONTWRITEBYTECODE": "1"}
    for app_dir in (PROJECT_DIR, minimal_dir):
        cold_start_run(app_dir, customer, cart, libraries_compiling(env))
    variants: dict[str, Callable[[], None]] = {
        "bytecode shipped": lambda: compile_all(app_sources),
        "make deploy's chalice deploy": deploy.compile_chalicelib,
    }
    for variant, compile_bytecode in variants.items():
        remove_bytecode(app_sources)
        compile_bytecode()
        paired = paired_runs(
            lambda: cold_start(PROJECT_DIR, customer, cart, env),
            lambda: cold_start(minimal_dir, customer, cart, env),
        )
        remove_bytecode(app_sources)
        paired.add_to(figures, f"cold start, {variant}: import + first get_cart", "minimal app")


class Paired(NamedTuple):
    """Cold starts run in pairs, the service's beside the minimal app's, so that whatever
    else loads the machine falls on both halves of a pair alike."""

    ratios: list[float]
    """Each pair's service time over its minimal app's time."""
    service: list[float]
    baseline: list[float]

    def add_to(self, figures: Figures, name: str, baseline: str) -> None:
        """The median of the pairs' ratios (the figure, at most 1.25), with its spread: the
        middle half of the ratios (25th to 75th percentile) and the medians of both."""
        low, _, high = statistics.quantiles(self.ratios, n=4)
        ratio = round(statistics.median(self.ratios), 3)
        service, other = statistics.median(self.service), statistics.median(self.baseline)
        figures.add(
            f"{name} (median of {len(self.ratios)} paired runs, middle half {low:.2f} to"
            f" {high:.2f}; service {service * 1000:.0f} ms / {baseline} {other * 1000:.0f} ms)",
            ratio,
            "x",
            "at most 1.25",
            ratio <= 1.25,
        )


def paired_runs(service: Callable[[], float], baseline: Callable[[], float]) -> Paired:
    """COLD_STARTS pairs, the order inside a pair alternating (service first, then the
    baseline first), each a fresh interpreter."""
    ratios, services, baselines = [], [], []
    for pair in range(COLD_STARTS):
        if pair % 2:
            other, mine = baseline(), service()
        else:
            mine, other = service(), baseline()
        ratios.append(mine / other)
        services.append(mine)
        baselines.append(other)
    return Paired(ratios, services, baselines)


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


def libraries_compiling(env: dict[str, str]) -> dict[str, str]:
    """`env` for a run that writes the bytecode of the libraries it imports (`make` compiles
    only the packages the tests share: the first process to import any other module writes
    it), before the measured runs."""
    return {name: value for name, value in env.items() if name != "PYTHONDONTWRITEBYTECODE"}


def compile_all(sources: list[Path]) -> None:
    for source in sources:
        if source.is_dir():
            compileall.compile_dir(source, quiet=1)
        else:
            compileall.compile_file(source, quiet=1)


def remove_bytecode(sources: list[Path]) -> None:
    """Every bytecode file of `sources`: a file's, or a package's and its subpackages'."""
    for source in sources:
        caches = source.rglob("__pycache__") if source.is_dir() else [source.parent / "__pycache__"]
        for cache in list(caches):
            shutil.rmtree(cache, ignore_errors=True)


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
    cold_start_run(PROJECT_DIR, BENCH_CUSTOMER, ucp_id, libraries_compiling(env), "mcp")
    paired = paired_runs(
        lambda: float(cold_start_run(PROJECT_DIR, BENCH_CUSTOMER, ucp_id, env, "mcp")["seconds"]),
        lambda: float(cold_start_run(minimal, BENCH_CUSTOMER, cart_for_carts, env)["seconds"]),
    )
    paired.add_to(
        figures, "cold start: import + first MCP tool call get_cart", "minimal app get_cart"
    )
    loaded = cold_start_run(PROJECT_DIR, BENCH_CUSTOMER, cart_for_carts, env)["agent_modules"]
    agents.report_modules(loaded, figures)


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
