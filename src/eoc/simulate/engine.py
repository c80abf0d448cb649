"""The time loop shared by every dynamics: Benettin renormalisation, observables, status, checkpoints.

A dynamics (the LSTM, the rate model, or a test system with known exponents) provides
``time_step``, ``state`` (rows_local, A), ``tangents`` (rows_local, A, k), ``observed`` (the local
h, (n_local, A)), ``step()`` and ``keep(mask)``; a model with ``recorded_gates`` (names, G of them)
also exposes their values of the last step as ``gate_values`` (G, n_local, A).

Per step: advance, check for non-finite values, and (after the transient) add |h|² and the gates
to the time averages and sample h every model time unit for the autocorrelation. Every
``renorm_interval`` steps: re-orthonormalise the tangents across ranks (:mod:`eoc.simulate.lyapunov`),
freeze points that diverged, follow how fast each point's state still moves (fixed-point
detection), and write a checkpoint when ``checkpoint_seconds`` of work have passed since the last.
After ``transient + steps`` steps, an adaptive run length (``target_stderr``, ``max_steps``) may
continue the loop in chunks until the standard error of every point's λ_max is at most the target
(:meth:`Engine.integrate`).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from eoc.errors import InputError
from eoc.logs import get_logger
from eoc.simulate import checkpoint as checkpoints
from eoc.simulate.lyapunov import Benettin, orthonormalize
from eoc.simulate.observables import Recurrence, autocorrelation_sums, classify, correlation_time
from eoc.simulate.progress import INTERVAL, Progress

log = get_logger(__name__)


#: An extension asks for this factor more steps than the 1/√T projection of the standard error.
EXTENSION_MARGIN = 1.2
#: The shortest extension, as a fraction of ``steps``.
MIN_EXTENSION = 0.2


def steps_per_lag(time_step: float) -> int:
    """Steps between samples of h: the lag spacing is one model time unit, or one step if longer."""
    return max(1, int(round(1.0 / time_step)))


class Engine:
    """Integrates one batch of P points and accumulates everything a run reports."""

    def __init__(
        self,
        dynamics,
        comm,
        *,
        n_units: int,
        steps: int,
        transient: int,
        renorm_interval: int,
        n_lags: int,
        recorded_units: np.ndarray,
        checkpoint: Path | None = None,
        checkpoint_seconds: float = 300.0,
        fingerprint: str = "",
        progress: bool = False,
        terminal: bool = False,
        time_unit: str = "",
        progress_seconds: float = INTERVAL,
        target_stderr: float | None = None,
        max_steps: int | None = None,
    ) -> None:
        self.dynamics = dynamics
        self.comm = comm
        self.n_units = n_units
        self.steps, self.transient, self.renorm_interval = steps, transient, renorm_interval
        self.n_lags = n_lags
        self.steps_per_lag = steps_per_lag(dynamics.time_step)
        self.lags = np.arange(n_lags) * self.steps_per_lag * dynamics.time_step
        self.recorded_units = recorded_units
        self.checkpoint, self.checkpoint_seconds, self.fingerprint = checkpoint, checkpoint_seconds, fingerprint
        # progress on this rank: a tqdm bar on a terminal, log lines every progress_seconds otherwise
        self.progress, self.terminal, self.progress_seconds = progress, terminal, progress_seconds
        self.time_unit = time_unit or getattr(dynamics, "time_unit", "step")  # a label of the progress lines
        self.tolerance = 1e-2 * np.sqrt(np.finfo(dynamics.state.dtype).eps)
        self.target_stderr, self.max_steps = target_stderr, steps if max_steps is None else max_steps

        points, k = dynamics.state.shape[1], dynamics.tangents.shape[2]
        self.step = 0
        self.end = transient + steps  # where the current stretch of steps ends (moved by extensions)
        self.elapsed = 0.0
        self.n_measured = 0
        self.active = np.ones(points, dtype=bool)
        self.k = k  # k = 0: the state only (no exponents)
        self.benettin = Benettin(points, k)
        self.diverged_step = np.full(points, np.inf)
        self.settled_since = np.full(points, -1, dtype=np.int64)
        self.start_change = np.full(points, np.nan)
        self.final_change = np.full(points, np.nan)
        self.first_bad = np.full(points, np.inf)  # this rank's first non-finite step per point
        self.h2_sum = np.zeros(points)
        gates = len(getattr(dynamics, "recorded_gates", ()))
        self.gate_sum = np.zeros((gates, points))
        self.gate_square_sum = np.zeros((gates, points))
        self.samples = np.full((steps // self.steps_per_lag, recorded_units.size, points), np.nan)
        # a flow (``dynamics.flow``) returns between steps: the closest return is interpolated
        self.recurrence = Recurrence(points, interpolate=getattr(dynamics, "flow", False))
        if k:
            orthonormalize(dynamics.tangents, comm)

    # -- the loop ---------------------------------------------------------------------------------
    def integrate(self) -> None:
        """Run from the current step to transient + steps (or until every point diverged); then,
        with a ``target_stderr``, continue in chunks (:meth:`extension`) while some active point's
        λ_max standard error is above it and fewer than ``max_steps`` steps were measured.

        All points of the batch step together: one still above the target keeps the others
        stepping, and those already below it just become more precise. Every observable (λ, C0,
        gates, autocorrelation, status) uses all the measured steps. The end of the current
        stretch is part of the checkpointed state and each extension is decided from checkpointed
        state alone, so a run killed during an extension resumes to the identical result.
        """
        while True:
            self._integrate_stretch()
            more = self.extension()
            if not more:
                return
            self.end += more
            self._grow_samples()

    def _integrate_stretch(self) -> None:
        """Step from the current step to ``end`` (or until every point diverged)."""
        total = self.end
        dynamics, comm = self.dynamics, self.comm
        started = last_checkpoint = time.monotonic()
        elapsed_before = self.elapsed
        report = Progress(
            total=total,
            initial=self.step,
            log=log,
            enabled=self.progress,
            terminal=self.terminal,
            time_unit=self.time_unit,
            interval=self.progress_seconds,
        )
        while self.step < total and self.active.any():
            s = self.step
            boundary = (s + 1) % self.renorm_interval == 0
            previous = dynamics.observed.copy() if boundary else None
            dynamics.step()
            self._check_finite(s + 1)
            if s >= self.transient:
                self._accumulate(s + 1 - self.transient)
            self.step = s + 1
            if boundary:
                self._renormalize(previous)
                report.update(self.step, self._running_estimate())
                now = time.monotonic()
                if self.checkpoint is not None and comm.bcast(now - last_checkpoint >= self.checkpoint_seconds):
                    self.elapsed = elapsed_before + now - started
                    self.save()
                    report.checkpoint(self.checkpoint, self.step)
                    last_checkpoint = now
        report.close(self._running_estimate())
        self.elapsed = elapsed_before + time.monotonic() - started

    def extension(self) -> int:
        """Steps to add after the current stretch: 0 without a target, when every active point's
        λ_max standard error is at most ``target_stderr``, or at ``max_steps`` measured steps.

        Otherwise the block standard error is taken to fall as 1/√T: the worst point needs about
        T·(stderr/target)² measured steps; the chunk is that, times :data:`EXTENSION_MARGIN`, at
        least :data:`MIN_EXTENSION` of ``steps`` (a noisy estimate does not creep), in whole
        renormalisation intervals, and at most up to ``max_steps``. The same on every rank (the
        standard errors are).
        """
        measured = self.step - self.transient
        if self.target_stderr is None or not self.active.any() or self.step < self.end:
            return 0
        speak = self.comm.rank == 0
        stderr = self.benettin.stderr[self.active]
        above = ~(stderr <= self.target_stderr)  # NaN (no estimate yet) counts as above
        if not above.any():
            if speak:
                log.info(
                    "lambda_max stderr at most %g at every point after %d measured steps", self.target_stderr, measured
                )
            return 0
        if measured >= self.max_steps:
            if speak:
                log.warning(
                    "step limit max_steps=%d reached with lambda_max stderr above the target %g at %d point(s)",
                    self.max_steps,
                    self.target_stderr,
                    int(above.sum()),
                )
            return 0
        worst = float(np.nanmax(stderr)) if np.isfinite(stderr).any() else np.nan
        needed = measured * (worst / self.target_stderr) ** 2 * EXTENSION_MARGIN if np.isfinite(worst) else 2 * measured
        chunk = max(int(np.ceil(needed)) - measured, int(MIN_EXTENSION * self.steps), self.renorm_interval)
        chunk = min(-(-chunk // self.renorm_interval) * self.renorm_interval, self.max_steps - measured)
        if speak:
            log.info(
                "lambda_max stderr above the target %g at %d point(s) after %d measured steps (largest %.3g): "
                "continuing to %d measured steps",
                self.target_stderr,
                int(above.sum()),
                measured,
                worst,
                measured + chunk,
            )
        return chunk

    def _grow_samples(self) -> None:
        """Room in the sampled h for the measured steps up to ``end`` (NaN until filled)."""
        rows = (self.end - self.transient) // self.steps_per_lag
        if rows > self.samples.shape[0]:
            more = np.full((rows - self.samples.shape[0],) + self.samples.shape[1:], np.nan)
            self.samples = np.concatenate([self.samples, more])

    def _running_estimate(self) -> np.ndarray | None:
        """λ_max of each point so far (None before the measurement or without tangents)."""
        return self.benettin.exponents[:, 0] if self.k and self.benettin.measured_time else None

    def _check_finite(self, step: int) -> None:
        index = np.nonzero(self.active)[0]
        finite = np.isfinite(self.dynamics.state).all(axis=0)
        newly = ~finite & np.isinf(self.first_bad[index])
        self.first_bad[index[newly]] = step

    def _accumulate(self, measured_step: int) -> None:
        index = np.nonzero(self.active)[0]
        h = self.dynamics.observed
        self.n_measured += 1
        self.h2_sum[index] += np.einsum("ia,ia->a", h, h, dtype=np.float64)
        gates = getattr(self.dynamics, "gate_values", None)
        if gates is not None:
            self.gate_sum[:, index] += gates.sum(axis=1, dtype=np.float64)
            self.gate_square_sum[:, index] += np.einsum("gia,gia->ga", gates, gates, dtype=np.float64)
        self.recurrence.add(self.dynamics.state, index)
        if measured_step % self.steps_per_lag == 0:
            self.samples[measured_step // self.steps_per_lag - 1][:, index] = h[self.recorded_units]

    def _renormalize(self, previous: np.ndarray) -> None:
        dynamics, comm = self.dynamics, self.comm
        index = np.nonzero(self.active)[0]
        tangents_finite = np.isfinite(dynamics.tangents).all(axis=(0, 2))
        self.first_bad[index[~tangents_finite & np.isinf(self.first_bad[index])]] = self.step
        first_bad = comm.allreduce(self.first_bad[index], op="min")
        diverged = np.isfinite(first_bad)
        if diverged.any():
            self.diverged_step[index[diverged]] = first_bad[diverged]
            self.active[index[diverged]] = False
            dynamics.keep(~diverged)
            previous = previous[:, ~diverged]
            index = index[~diverged]
            if not index.size:
                return
        with np.errstate(over="ignore", invalid="ignore"):
            change = comm.allreduce(((dynamics.observed - previous).astype(np.float64) ** 2).sum(axis=0))
        rate = np.sqrt(change / self.n_units) / dynamics.time_step
        measuring = self.step - self.renorm_interval >= self.transient
        if self.k:
            log_r = np.full((self.active.size, self.k), np.nan)
            log_r[index] = orthonormalize(dynamics.tangents, comm)
            if measuring:
                self.benettin.add(log_r, self.renorm_interval * dynamics.time_step)
        self.recurrence.update(comm, dynamics.state, index)
        if measuring:
            unset = index[np.isnan(self.start_change[index])]
            self.start_change[unset] = rate[np.isin(index, unset)]
            self.final_change[index] = rate
        settled = self.settled_since[index]
        self.settled_since[index] = np.where(rate < self.tolerance, np.where(settled < 0, self.step, settled), -1)

    # -- results ----------------------------------------------------------------------------------
    def results(self) -> dict[str, np.ndarray]:
        """Every per-point result, reduced over ranks (the same dict on every rank)."""
        comm = self.comm
        count = max(self.n_measured, 1) * self.n_units
        c0 = comm.allreduce(self.h2_sum) / count
        gate_mean = comm.allreduce(self.gate_sum) / count
        gate_square = comm.allreduce(self.gate_square_sum) / count
        recorded = int(comm.allreduce(np.array([self.recorded_units.size]))[0])
        sums, mean_squares = autocorrelation_sums(self.samples, self.n_lags)
        autocorr = comm.allreduce(sums) / recorded
        mean_square = comm.allreduce(mean_squares) / recorded
        exponents = self.benettin.exponents if self.k else np.full((self.active.size, 1), np.nan)
        stderr = self.benettin.stderr
        with np.errstate(invalid="ignore", divide="ignore"):
            decay = self.final_change / self.start_change
        status, status_step = classify(
            diverged_step=self.diverged_step,
            settled_since=self.settled_since,
            lyapunov_max=exponents[:, 0],
            stderr=stderr,
            decay=decay,
            periodic=self.recurrence.periodic,
            final_step=self.step,
        )
        results = {
            "lyapunov": exponents,
            "lyapunov_max_stderr": stderr,
            "C0": c0,
            "autocorr": autocorr,
            "tau_corr": correlation_time(autocorr, mean_square, self.lags),
            "gate_mean": gate_mean,
            "gate_std": np.sqrt(np.maximum(gate_square - gate_mean**2, 0.0)),
            "status": status,
            "status_step": status_step,
            # a diverged point stopped being measured where it diverged
            "steps_measured": np.maximum(np.fmin(self.diverged_step, self.step) - self.transient, 0).astype(np.int64),
        }
        results["tau_corr"][status == "fixed_point"] = np.nan
        diverged = status == "diverged"
        for name in ("lyapunov", "lyapunov_max_stderr", "C0", "tau_corr"):
            results[name][diverged] = np.nan
        for name in ("autocorr", "gate_mean", "gate_std"):
            results[name][:, diverged] = np.nan
        return results

    # -- checkpoints --------------------------------------------------------------------------------
    #: What the engine is given; everything else in its ``__dict__`` is accumulated state and goes
    #: into the checkpoint whole, so that no accumulator can be left out of it.
    _GIVEN = frozenset(
        {
            "dynamics",
            "comm",
            "n_units",
            "steps",
            "transient",
            "renorm_interval",
            "n_lags",
            "steps_per_lag",
            "lags",
            "recorded_units",
            "checkpoint",
            "checkpoint_seconds",
            "fingerprint",
            "progress",
            "terminal",
            "progress_seconds",
            "time_unit",
            "tolerance",
            "k",
            "target_stderr",
            "max_steps",
        }
    )
    #: Accumulators with their own ``state_dict()`` and ``load()``.
    _PARTS = ("benettin", "recurrence")

    def accumulated(self) -> dict[str, np.ndarray]:
        """This rank's whole running state: the engine's accumulators, its parts' and the dynamics'
        state and tangents (names ``part.name`` for the parts)."""
        state = {
            name: np.asarray(value)
            for name, value in vars(self).items()
            if name not in self._GIVEN and name not in self._PARTS
        }
        for part in self._PARTS:
            state.update(
                {f"{part}.{name}": np.asarray(value) for name, value in getattr(self, part).state_dict().items()}
            )
        state.update({"dynamics.state": self.dynamics.state, "dynamics.tangents": self.dynamics.tangents})
        return state

    def save(self) -> None:
        """Write the checkpoint (every rank calls this): every rank's :meth:`accumulated`."""
        checkpoints.save(
            self.checkpoint, fingerprint=self.fingerprint, shared={}, local=self.accumulated(), comm=self.comm
        )

    def restore(self, shared: dict, local: dict) -> None:
        """Continue from a loaded checkpoint (see :func:`eoc.simulate.checkpoint.load`)."""
        expected = set(self.accumulated())
        if set(local) != expected:
            raise InputError(
                f"checkpoint {str(self.checkpoint)!r} does not hold this engine's state "
                f"(missing {sorted(expected - set(local))}, unknown {sorted(set(local) - expected)}); "
                "move it away or delete it"
            )
        parts = {part: {} for part in self._PARTS}
        for key, value in local.items():
            owner, _, name = key.partition(".")
            if owner in parts:
                parts[owner][name] = value
            elif owner != "dynamics":
                setattr(self, key, value.item() if value.ndim == 0 else np.array(value))
        for part, saved in parts.items():
            getattr(self, part).load(saved)
        self.dynamics.keep(self.active)
        self.dynamics.state = np.array(local["dynamics.state"])
        self.dynamics.tangents = np.array(local["dynamics.tangents"])
