"""`make load` (tools/load): locust's storefront mix against the API in shopper mode, as
`make run` serves it, reported per operation; a short run (the figures are the closing
note's and docs/operations.md's, from a 5-minute `make load` against `make run`)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.e2e.conftest import Stack
from tools.load.run import load

OPERATIONS = {
    "create_cart",
    "add_item",
    "change_items",
    "get_cart",
    "update_cart",
    "apply_discount_code",
    "checkout",
}


def test_the_load_runs_guests_and_shoppers_and_reports_every_operation(
    warm_shopper_stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert warm_shopper_stack.issuer is not None
    monkeypatch.setenv("SHOPPER_TOKEN", warm_shopper_stack.issuer.token("load-shopper"))
    printed: list[str] = []
    unexpected = load(warm_shopper_stack.base_url, 4, "10s", tmp_path, printed.append)
    assert unexpected == 0, "\n".join(printed)
    with (tmp_path / "load_stats.csv").open() as stats:
        counts = {row["Name"]: int(row["Request Count"]) for row in csv.DictReader(stats)}
    assert {name for name, count in counts.items() if count > 0} >= OPERATIONS, counts
    report = printed[0].splitlines()
    assert report[0].split() == [
        "operation",
        "requests",
        "req/s",
        "p50",
        "ms",
        "p95",
        "ms",
        "p99",
        "ms",
        "failed",
    ]
    assert {line.split()[0] for line in report[1:]} >= OPERATIONS
