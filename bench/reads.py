"""Reads of a cart compared: get_cart of carts that differ in one way, each in its own warm
container or all in one, their samples alternated so that the server's drift over the run
falls on all of them alike; and the round trips each read waits for."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any, Generic, NamedTuple, TypeVar

from bench.calls import CallRecorder
from bench.harness import Api, Figures

SAMPLES = 300
Container = TypeVar("Container")


class Read(NamedTuple, Generic[Container]):
    container: Container
    """The warm container that serves it."""
    path: str


def compare_reads(
    api: Api,
    client: Any,
    reads: dict[str, Read[Container]],
    use: Callable[[Container], None],
) -> tuple[dict[str, float], dict[str, int]]:
    """Each read's median time (seconds) over SAMPLES alternated calls, and its round trips."""
    times: dict[str, list[float]] = {name: [] for name in reads}
    for _ in range(SAMPLES):
        for name, read in reads.items():
            use(read.container)
            started = time.perf_counter()
            api.call("GET", read.path)
            times[name].append(time.perf_counter() - started)
    trips = {}
    for name, read in reads.items():
        use(read.container)
        counter = CallRecorder(simulated_latency=0.005)
        counter.attach(client)
        with counter.recording():
            api.call("GET", read.path)
        counter.detach(client)
        trips[name] = counter.round_trips
    return {name: statistics.median(samples) for name, samples in times.items()}, trips


def report(
    figures: Figures,
    labels: dict[str, str],
    medians: dict[str, float],
    trips: dict[str, int],
    ratio_figure: str,
) -> None:
    """Each read's median and round trips (exactly 1: all cached), and the first's time
    against the second's (at most 1.15)."""
    for name, label in labels.items():
        figures.add(f"get_cart {label}: median", round(medians[name] * 1000, 3), "ms")
        figures.add(
            f"get_cart {label}: round trips", trips[name], "", "exactly 1", trips[name] == 1
        )
    first, second = list(labels)
    ratio = round(medians[first] / medians[second], 3)
    figures.add(ratio_figure, ratio, "x", "at most 1.15", ratio <= 1.15)
