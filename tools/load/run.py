"""`make load`: a storefront's traffic (tools/load/locustfile.py) from locust, headless,
against `make run` (the default) or a deployed stage (`make load API=https://...`).

    make load                                   # 8 shoppers for 5 minutes against make run
    make load USERS=20 DURATION=1m API=https://abc.execute-api.eu-west-1.amazonaws.com/api

Prints requests/s and p50/p95/p99 per operation, and every non-2xx by operation, status and
code (an expected one, such as a wrong discount code's 400, is marked so). Against make run
it also prints the memory of make run's processes before and after. Exits 1 on any
unexpected non-2xx. A stage in shopper mode is expected (make run's is): sessions are
guests', and a signed-in shopper's with make run's local issuer or SHOPPER_TOKEN.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from tools.local.issuer import ISSUER_FILE
from tools.stage import PROJECT_DIR

LOCAL_API = "http://127.0.0.1:8000"
RUN_FILE = PROJECT_DIR / ".local" / "run.json"
"""Where `make run` leaves its processes' ids (tools/local/run.py)."""


def run_memory_kib(run_file: Path = RUN_FILE) -> int | None:
    """The resident memory of make run's processes: its own (moto, the relay, the
    storefront) and its descendants' (chalice local and its worker)."""
    if not run_file.exists():
        return None
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue
    family = {json.loads(run_file.read_text())["pid"]}
    while grown := {pid for pid, parent in parents.items() if parent in family} - family:
        family |= grown
    return sum(_rss_kib(pid) for pid in family)


def _rss_kib(pid: int) -> int:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith("VmRSS")), 0)


def load(
    api: str, users: int, duration: str, out: Path, output: Callable[[str], None] = print
) -> int:
    """Run the load; print its figures; how many non-2xx were unexpected."""
    out.mkdir(parents=True, exist_ok=True)
    codes_file = out / "codes.json"
    environment = {**os.environ, "LOAD_CODES_FILE": str(codes_file), "PYTHONPATH": str(PROJECT_DIR)}
    if api == LOCAL_API and ISSUER_FILE.exists():
        environment["LOCAL_SHOPPERS"] = "1"
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(Path(__file__).parent / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        duration,
        "--host",
        api,
        "--csv",
        str(out / "load"),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "10",
    ]
    with (out / "locust.log").open("w") as log:
        finished = subprocess.run(
            command, env=environment, cwd=PROJECT_DIR, check=False, stdout=log, stderr=log
        )
    if finished.returncode not in (0, 1):  # 1: some requests failed (reported below)
        raise SystemExit(f"locust stopped ({finished.returncode}): see {out / 'locust.log'}")
    output(report(out / "load_stats.csv"))
    unexpected = 0
    rows = json.loads(codes_file.read_text()) if codes_file.exists() else []
    output("non-2xx answers:" if rows else "non-2xx answers: none")
    for row in rows:
        note = "expected" if row["expected"] else "UNEXPECTED"
        output(
            f"  {row['operation']:<22} {row['status']} {row['code']:<28} {row['count']:>7}  {note}"
        )
        unexpected += 0 if row["expected"] else row["count"]
    return unexpected


def report(stats_file: Path) -> str:
    """The per-operation table of locust's statistics file."""
    lines = [
        f"{'operation':<22} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'failed':>7}"
    ]
    with stats_file.open() as stats:
        for row in csv.DictReader(stats):
            lines.append(
                f"{row['Name']:<22} {row['Request Count']:>9} {float(row['Requests/s']):>7.1f} "
                f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7} {row['Failure Count']:>7}"
            )
    return "\n".join(lines)


def main() -> None:
    api = os.environ.get("API") or LOCAL_API
    users = int(os.environ.get("USERS") or 8)
    duration = os.environ.get("DURATION") or "5m"
    local = api == LOCAL_API
    before = run_memory_kib() if local else None
    print(f"load: {users} shoppers for {duration} against {api}", flush=True)
    # Outside the project: chalice local (autoreload) restarts on any file written in it.
    out = Path(tempfile.gettempdir()) / "cart-service-load"
    unexpected = load(api.rstrip("/"), users, duration, out)
    print(f"locust's statistics: {out}")
    if before is not None:
        after = run_memory_kib() or 0
        print(f"make run's memory: {before / 1024:.0f} MiB before, {after / 1024:.0f} MiB after")
    if unexpected:
        sys.exit(f"{unexpected} unexpected non-2xx answers")


if __name__ == "__main__":
    main()
