"""Calls that do not depend on each other, run at once on a small pool of threads: the
reads of a request (a cart's row and lines; its prices and the promotions) wait for the
slowest of them, not for their sum.

Outside the layers (standard library only): the service and the DynamoDB adapter both use it.
A call run on the pool never starts more calls on it and waits for them: with every thread
busy waiting, none is left to run what they wait for.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

T = TypeVar("T")


@functools.cache
def pool() -> ThreadPoolExecutor:
    """Threads for reads that do not depend on each other (boto3 clients are thread-safe)."""
    return ThreadPoolExecutor(max_workers=8, thread_name_prefix="parallel")


def in_background(call: Callable[..., T], *args: Any) -> Future[T]:
    """Start `call` on another thread, in a copy of this context (log lines keep the request id)."""
    return pool().submit(contextvars.copy_context().run, call, *args)


def in_parallel(calls: list[Callable[[], T]]) -> list[T]:
    """Run the calls at once; their results in order."""
    if not calls:
        return []
    futures = [in_background(call) for call in calls[1:]]
    try:
        first = calls[0]()
    finally:
        wait(futures)
    return [first, *(future.result() for future in futures)]
