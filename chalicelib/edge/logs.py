"""Structured JSON logs: one object per line, carrying the request's id and context.

CloudWatch Logs Insights and most log shippers parse these lines as they are, so a request
can be followed by its `requestId` (the same value as the X-Request-Id response header).
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

_request_fields: ContextVar[dict[str, Any]] = ContextVar("request_fields")


def bind(**fields: Any) -> Token[dict[str, Any]]:
    """Add fields to every log line written in this context (this request)."""
    return _request_fields.set({**_request_fields.get({}), **fields})


def unbind(token: Token[dict[str, Any]]) -> None:
    _request_fields.reset(token)


@contextmanager
def access_log(
    logger: logging.Logger, request_id: str | None, summary: tuple[str, ...], **fields: Any
) -> Iterator[dict[str, Any]]:
    """One request, REST or direct invocation: its id on every log line written meanwhile,
    then one access line with `fields`, what the caller added to them (its outcome) and the
    latency. The line's message is the `summary` fields' values."""
    token = bind(requestId=request_id)
    started = time.perf_counter()
    entry = dict(fields)
    try:
        yield entry
    finally:
        message = " ".join(str(entry.get(name)) for name in summary)
        entry["latencyMs"] = round((time.perf_counter() - started) * 1000, 1)
        logger.info(message, extra={"fields": entry})
        unbind(token)


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
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
    for name in ("chalicelib", *loggers):
        logging.getLogger(name).setLevel(level)
