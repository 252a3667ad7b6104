"""BENCHMARKS.md and bench/results.json, with the request path's figures beside the
previous run's."""

from __future__ import annotations

import json
import os
import platform
import re
import sys
from pathlib import Path
from typing import Any

from bench.harness import Figures
from tools.stage import PROJECT_DIR

RESULTS_FILE = PROJECT_DIR / "bench" / "results.json"


REPORT_FILE = PROJECT_DIR / "BENCHMARKS.md"


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
