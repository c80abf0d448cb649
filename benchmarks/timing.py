"""Timing and thread control shared by the benchmarks.

Times are the best of several repetitions (the least disturbed by other processes on a shared
machine); the median is kept beside it so that a noisy run is visible.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numba
from threadpoolctl import threadpool_limits


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the best and the median of ``repeats`` calls."""

    best: float
    median: float
    repeats: int


def time_call(call: Callable[[], object], *, repeats: int, warmup: int = 1, min_seconds: float = 0.0) -> Timing:
    """Time ``call()``: ``warmup`` untimed calls, then at least ``repeats`` timed ones.

    With ``min_seconds`` > 0 the timed calls go on until their total reaches it (short calls get
    more repetitions, so that the best is not a lucky outlier of a timer tick).
    """
    for _ in range(warmup):
        call()
    seconds: list[float] = []
    while len(seconds) < repeats or sum(seconds) < min_seconds:
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return Timing(best=min(seconds), median=statistics.median(seconds), repeats=len(seconds))


@contextlib.contextmanager
def threads(count: int) -> Iterator[None]:
    """Run the block with ``count`` threads in BLAS, OpenMP and numba's pool (restored after)."""
    previous = numba.get_num_threads()
    numba.set_num_threads(count)
    try:
        with threadpool_limits(limits=count):
            yield
    finally:
        numba.set_num_threads(previous)
