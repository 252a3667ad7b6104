"""Records the DynamoDB calls a request makes, and replays them bare.

Every call of a client is recorded with its parameters and timed from `before-call` to
`after-call`. Calls in flight at the same time form one wave; the number of waves is the
number of sequential round trips a request waited for. The waves can be replayed with a
bare boto3 client (calls of a wave in parallel, as the service made them), which gives the
yardstick of the service's overhead: the very same DynamoDB requests, minus the service.
A wave is replayed as the service made it: its call made on the request's own thread is
made on the replaying thread, the others on a pool.

With a simulated network latency, calls that the code runs in parallel overlap for certain,
however fast the local server answers (for counting round trips, not for timing). A call
handed to the service's thread pool counts from when it was handed over, not from when a
thread got to it: on a loaded machine, a pool thread can start a parallel read after the
call beside it has ended, and two round trips would be counted for one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any
from unittest import mock

from botocore import xform_name

from chalicelib import parallel

Call = tuple[float, float, bool, str, dict[str, Any]]
"""When the call started (a pooled task's first: when it was handed over), when it ended,
whether the request's own thread made it, the operation and its parameters."""

_replay_pool = ThreadPoolExecutor(max_workers=8)


class CallRecorder:
    def __init__(self, simulated_latency: float = 0.0) -> None:
        self._latency = simulated_latency
        self._lock = threading.Lock()
        self._current = threading.local()
        self._calls: list[Call] = []
        self._recording = False
        self._request_thread: int | None = None

    def attach(self, client: Any) -> None:
        for event, handler, name in self._handlers():
            client.meta.events.register(event, handler, unique_id=name)

    def detach(self, client: Any) -> None:
        for event, _, name in self._handlers():
            client.meta.events.unregister(event, unique_id=name)

    def _handlers(self) -> list[tuple[str, Any, str]]:
        tag = id(self)
        return [
            ("before-parameter-build.dynamodb", self._params, f"params-{tag}"),
            ("before-call.dynamodb", self._before, f"before-{tag}"),
            ("before-send.dynamodb", self._delay, f"delay-{tag}"),
            ("after-call.dynamodb", self._after, f"after-{tag}"),
            ("after-call-error.dynamodb", self._after, f"error-{tag}"),
        ]

    @contextmanager
    def recording(self) -> Iterator[CallRecorder]:
        with self._lock:
            self._calls = []
            self._recording = True
            self._request_thread = threading.get_ident()
        pool = parallel.pool()
        try:
            with mock.patch.object(pool, "submit", self._dated(pool.submit)):
                yield self
        finally:
            with self._lock:
                self._recording = False

    @property
    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        """The calls recorded, by start: each operation with its parameters."""
        return [(name, params) for _, _, _, name, params in sorted(self._calls, key=_start)]

    @property
    def operations(self) -> list[str]:
        return [name for _, _, _, name, _ in sorted(self._calls, key=_start)]

    @property
    def waves(self) -> list[list[tuple[str, dict[str, Any]]]]:
        """The calls grouped into round trips: a wave holds the calls in flight together, the
        one the request's own thread made first."""
        waves: list[list[Call]] = []
        wave_end = float("-inf")
        for call in sorted(self._calls, key=_start):
            start, end = call[0], call[1]
            if start >= wave_end:
                waves.append([])
                wave_end = end
            else:
                wave_end = max(wave_end, end)
            waves[-1].append(call)
        return [
            [(name, params) for _, _, _, name, params in sorted(wave, key=_own_thread_first)]
            for wave in waves
        ]

    @property
    def round_trips(self) -> int:
        return len(self.waves)

    def _dated(self, submit: Callable[..., Future[Any]]) -> Callable[..., Future[Any]]:
        """`submit`, its task's first call dated from the moment it was submitted."""

        def dated(task: Callable[..., Any], /, *args: Any) -> Future[Any]:
            return submit(self._submitted, time.perf_counter(), task, *args)

        return dated

    def _submitted(self, at: float, task: Callable[..., Any], *args: Any) -> Any:
        self._current.submitted = at
        try:
            return task(*args)
        finally:
            self._current.submitted = None

    def _params(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self._current.params = dict(params) if self._recording else {}

    def _before(self, model: Any, **_: Any) -> None:
        submitted = getattr(self._current, "submitted", None)
        self._current.submitted = None  # the task's later calls wait for this one
        started = time.perf_counter() if submitted is None else submitted
        self._current.started = (started, model.name)

    def _delay(self, **_: Any) -> None:
        if self._recording and self._latency:
            time.sleep(self._latency)

    def _after(self, **_: Any) -> None:
        start, name = self._current.started
        end = time.perf_counter()
        own = threading.get_ident() == self._request_thread
        with self._lock:
            if self._recording:
                self._calls.append((start, end, own, name, self._current.params))


def _start(call: Call) -> float:
    return call[0]


def _own_thread_first(call: Call) -> tuple[bool, float]:
    return (not call[2], call[0])


class BareReplay:
    """The yardstick: the recorded waves made again with a bare client, which carries a
    recorder as the app's client does, so the recording's own handlers cost both sides
    alike."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._recorder = CallRecorder()
        self._recorder.attach(client)

    def seconds(self, waves: list[list[tuple[str, dict[str, Any]]]], old: str, new: str) -> float:
        with self._recorder.recording():
            started = time.perf_counter()
            replay(self._client, waves, old, new)
            return time.perf_counter() - started


def replay(client: Any, waves: list[list[tuple[str, dict[str, Any]]]], old: str, new: str) -> None:
    """Make the recorded calls again, with `old` (a cart id) replaced by `new` everywhere: a
    wave's first call on this thread, the others on a pool, all at once."""
    for wave in waves:
        calls = [(name, _replace(params, old, new)) for name, params in wave]
        futures = [_replay_pool.submit(_call, client, name, params) for name, params in calls[1:]]
        _call(client, *calls[0])
        for future in futures:
            future.result()


def _call(client: Any, operation: str, params: dict[str, Any]) -> None:
    getattr(client, xform_name(operation))(**params)


def _replace(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {_replace(k, old, new): _replace(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(item, old, new) for item in value]
    return value
