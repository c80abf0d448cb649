"""Progress of a long run: a tqdm bar on a terminal, periodic log lines off one (a batch job's log).

Off a terminal, :class:`Progress` writes one INFO line every ``interval`` seconds of wall time
(default :data:`INTERVAL`, and once more at the end):

    step 1200/6000 (20%), 153 steps/s, ETA 0:00:31, lambda_max 0.0123 (per step)

with the rate over the whole run so far, the time left at that rate, and the running estimate
of the maximal Lyapunov exponent (its range over the points of a batch; "transient" before the
measurement starts). Checkpoint writes are logged as they happen. On a terminal the tqdm bar
shows the same progress instead and only checkpoints are logged.
"""

from __future__ import annotations

import datetime as _dt
import logging
import time
from collections.abc import Callable

import numpy as np
from tqdm import tqdm

#: Seconds between two progress lines off a terminal: often enough to see a job move in its log,
#: rarely enough that a day-long job writes about a thousand lines.
INTERVAL = 60.0


class Progress:
    """Report the steps of a loop from ``initial`` to ``total``; ``enabled`` only on one rank.

    ``terminal``: draw a tqdm bar instead of log lines. ``clock``: seconds (``time.monotonic``)."""

    def __init__(
        self,
        *,
        total: int,
        initial: int,
        log: logging.Logger,
        enabled: bool,
        terminal: bool,
        time_unit: str,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.log, self.enabled, self.time_unit = total, log, enabled, time_unit
        self.interval, self.clock = interval, clock
        self.lines = enabled and not terminal
        self.bar = tqdm(total=total, initial=initial, disable=not (enabled and terminal), unit="step", mininterval=1.0)
        self.first_step, self.started = initial, clock()
        self.last_line = self.started
        self.step = initial

    def update(self, step: int, lyapunov_max: np.ndarray | None = None) -> None:
        """The loop reached ``step``; ``lyapunov_max``: the running estimate per point (None or
        empty during the transient)."""
        self.step = step
        self.bar.update(step - self.bar.n)
        now = self.clock()
        if self.lines and now - self.last_line >= self.interval:
            self.last_line = now
            self.log.info("%s", self.line(step, now, lyapunov_max))

    def checkpoint(self, path, step: int) -> None:
        """A checkpoint was written at ``step``."""
        if self.enabled:
            self.log.info("checkpoint written at step %d/%d: %s", step, self.total, path)

    def close(self, lyapunov_max: np.ndarray | None = None) -> None:
        """The loop ended: the last line (off a terminal) and the bar closed."""
        self.bar.close()
        if self.lines:
            self.log.info("%s", self.line(self.step, self.clock(), lyapunov_max))

    def line(self, step: int, now: float, lyapunov_max: np.ndarray | None) -> str:
        """``step S/T (P%), R steps/s, ETA H:MM:SS, lambda_max L (per unit)``."""
        seconds = max(now - self.started, 1e-9)
        rate = (step - self.first_step) / seconds
        left = (self.total - step) / rate if rate > 0 else float("nan")
        eta = str(_dt.timedelta(seconds=round(left))) if np.isfinite(left) else "unknown"
        text = f"step {step}/{self.total} ({100 * step / self.total:.0f}%), {rate:.3g} steps/s, ETA {eta}"
        return f"{text}, lambda_max {self._estimate(lyapunov_max)}"

    def _estimate(self, lyapunov_max: np.ndarray | None) -> str:
        values = np.asarray([] if lyapunov_max is None else lyapunov_max, dtype=float).ravel()
        values = values[np.isfinite(values)]
        if values.size == 0:
            return "(transient)"
        if values.size == 1 or values.min() == values.max():
            return f"{values[0]:.4g} (per {self.time_unit})"
        return f"{values.min():.4g} .. {values.max():.4g} over {values.size} points (per {self.time_unit})"
