"""Structured JSON logs: one object per line, carrying the request's id and context.

CloudWatch Logs Insights and most log shippers parse these lines as they are, so a request
can be followed by its `requestId` (the same value as the X-Request-Id response header).
Every request, invocation, stream batch and sweep ends with one access line: what it was
(`operation`, `status`, `code`), its `latencyMs` and `roundTrips` (DynamoDB calls), and its
metrics in Embedded Metric Format (edge/metrics.py). The access line is not a log record:
it is written straight to standard output, whatever the stage's LOG_LEVEL, as the EMF
libraries write theirs (through `logging`, a record took a third of the line's time).
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

import orjson

from chalicelib import telemetry
from chalicelib.edge import metrics
from chalicelib.settings import stage_name

ACCESS_LOGGER = "chalicelib.access"
"""The access line's `logger`, as if a logger of that name had written it."""
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
    line = _json_line(time.time(), "INFO", ACCESS_LOGGER, message, entry)
    stdout = sys.stdout  # as it is now: a tool that prints its own answer redirects it
    stdout.write(line + "\n")  # one write: lines of two threads never interleave
    stdout.flush()


def _json_line(created: float, level: str, logger: str, message: str, fields: Any) -> str:
    """One line of the log: when, how severe, from where, what, the request's fields. Any
    value JSON has no type for is written as its text."""
    line = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
        + f".{int((created - int(created)) * 1000):03d}Z",
        "level": level,
        "logger": logger,
        "message": message,
        **_request_fields.get({}),
        **fields,
    }
    try:
        return orjson.dumps(line, default=str).decode()
    except orjson.JSONEncodeError:  # a lone surrogate (a direct invocation's), a non-str key
        return json.dumps(line, default=str)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", {})
        if record.exc_info:
            fields = {**fields, "exception": self.formatException(record.exc_info)}
        message = record.getMessage()
        return _json_line(record.created, record.levelname, record.name, message, fields)


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
