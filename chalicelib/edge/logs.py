"""Structured JSON logs: one object per line, carrying the request's id and context.

CloudWatch Logs Insights and most log shippers parse these lines as they are, so a request
can be followed by its `requestId` (the same value as the X-Request-Id response header).
Every request, invocation, stream batch and sweep ends with one access line: what it was
(`operation`, `status`, `code`), its `latencyMs` and `roundTrips` (DynamoDB calls), and its
metrics in Embedded Metric Format (edge/metrics.py), so the line is written whatever the
stage's LOG_LEVEL.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

from chalicelib import telemetry
from chalicelib.edge import metrics
from chalicelib.settings import stage_name

ACCESS_LOGGER = "chalicelib.access"
_ACCESS = logging.getLogger(ACCESS_LOGGER)
_request_fields: ContextVar[dict[str, Any]] = ContextVar("request_fields")


def bind(**fields: Any) -> Token[dict[str, Any]]:
    """Add fields to every log line written in this context (this request)."""
    return _request_fields.set({**_request_fields.get({}), **fields})


def unbind(token: Token[dict[str, Any]]) -> None:
    _request_fields.reset(token)


@contextmanager
def access_log(
    request_id: str | None,
    summary: tuple[str, ...],
    operation: str | None = None,
    **fields: Any,
) -> Iterator[dict[str, Any]]:
    """One invocation (a request, a direct invocation, a stream batch, a sweep): its id on
    every log line written meanwhile, a tally of what it did (chalicelib/telemetry.py), then
    one access line with `fields`, what the caller added to them (its `status`), the
    tally's labels (`operation`, `code`), the latency, the round trips and the metrics. The
    line's message is the `summary` fields' values. The `operation`, when known before the
    invocation runs (a Lambda function's), labels it from the start."""
    token = bind(requestId=request_id)
    started = time.perf_counter()
    entry = {"requestId": request_id, **fields}
    with telemetry.tallying() as tally:
        if operation is not None:
            telemetry.label(operation=operation)
        try:
            yield entry
        finally:
            _write_access_line(entry, tally, summary, started)
            unbind(token)


def _write_access_line(
    entry: dict[str, Any], tally: telemetry.Tally, summary: tuple[str, ...], started: float
) -> None:
    latency_ms = round((time.perf_counter() - started) * 1000, 1)
    metrics.derive(tally, entry.get("status"))
    entry.update(tally.labels)
    entry["latencyMs"] = latency_ms
    entry["roundTrips"] = tally.counts["DynamoDBCalls"]
    message = " ".join(str(entry.get(name)) for name in summary)
    entry.update(metrics.emf_members(tally, stage_name(), latency_ms))
    _ACCESS.info(message, extra={"fields": entry})


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_request_fields.get({}),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure(level: str, *loggers: str) -> None:
    """Send log records, as JSON, to standard output (CloudWatch Logs in Lambda).

    `level` applies to the service's own loggers; libraries (botocore, Chalice's CLI) log
    warnings and errors only, so a DEBUG stage does not print every AWS call.
    """
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    # No line carries its thread or process: a record need not look them up.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
    for name in ("chalicelib", *loggers):
        logging.getLogger(name).setLevel(level)
    _ACCESS.setLevel(logging.INFO)  # it carries the metrics
