"""Observables of one run besides the exponents: autocorrelation, correlation time, the zero-state
Jacobian's spectral radius, and the classification of the attractor (status).

All of them are computed from each rank's own units and combined with one reduction, so they do
not depend on the rank count beyond rounding.
"""

from __future__ import annotations

import numpy as np


def autocorrelation_sums(samples: np.ndarray, n_lags: int, *, chunk: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Per-unit autocorrelations of sampled time series, summed over the units given.

    ``samples`` (T, units, P): h_i(t) at T equally spaced times (spacing: one lag). For each unit
    the unbiased estimate C_i(τ) = Σ_t h_i(t) h_i(t+τ) / (T − τ) is computed with an FFT of the
    zero-padded series (Wiener–Khinchin), ``chunk`` units at a time. Returns (Σ_i C_i(τ) over
    τ < n_lags, shape (n_lags, P); Σ_i m_i², shape (P,)) with m_i the time mean of h_i, for the connected part.
    """
    length, units, points = samples.shape
    overlap = (length - np.arange(n_lags))[:, None]
    sums = np.zeros((n_lags, points))
    for start in range(0, units, chunk):  # a few units at a time: the transforms take 8x their samples
        spectrum = np.fft.rfft(samples[:, start : start + chunk], n=2 * length, axis=0)
        power = spectrum.real**2 + spectrum.imag**2
        sums += (np.fft.irfft(power, n=2 * length, axis=0)[:n_lags] / overlap[:, None]).sum(axis=1)
    return sums, (samples.mean(axis=0) ** 2).sum(axis=0)


def correlation_time(autocorr: np.ndarray, mean_square: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """The lag where the connected, normalised autocorrelation first falls to 1/e.

    ρ(τ) = (C(τ) − m²) / (C(0) − m²) with m² the population mean of the squared time means; linear
    interpolation between lags. ``autocorr`` (n_lags, P), ``mean_square`` (P,). NaN where ρ never
    falls to 1/e within the lags, or where there are no fluctuations (C(0) = m²).
    """
    variance = autocorr[0] - mean_square
    times = np.full(autocorr.shape[1], np.nan)
    for p in range(autocorr.shape[1]):
        if not variance[p] > 0:
            continue
        rho = (autocorr[:, p] - mean_square[p]) / variance[p]
        below = np.nonzero(rho <= np.exp(-1.0))[0]
        if below.size:
            j = below[0]
            times[p] = lags[j - 1] + (rho[j - 1] - np.exp(-1.0)) / (rho[j - 1] - rho[j]) * (lags[j] - lags[j - 1])
    return times


def jacobian_radius(dynamics, comm, *, zero_state_rows: int, chunk: int = 256) -> np.ndarray:
    """Spectral radius of the Jacobian at the zero state for each point of the batch, (A,).

    Where the zero-state Jacobian's non-zero spectrum is an affine image a + b·spec(Z/√N) of the
    stored matrix (:func:`zero_state_affine_map`: the rate model, and the LSTM at points without
    biases), the radius is max |a + b μ| over the eigenvalues μ of one N × N matrix, gathered on
    rank 0 and diagonalised once for all such points. LSTM with zero biases:
    J0 = [[I/2, U_c/2], [I/4, U_c/4]] has rank N and its non-zero eigenvalues are 1/2 + μ_c/4,
    μ_c ∈ spec(U_c), U_c = g_c Z_c/√N, so the radius tends to 1/2 + g_c/4 (circular law,
    docs/science.md §2); rate model: −I/2 + (g/4) φ'(0) Z/√N, radius → 1/2 + g/4 too (its leftmost
    eigenvalue), while stability is decided by the rightmost, −1/2 + g/4.

    Other points (the LSTM with biases, whose zero state is not a fixed point and whose Jacobian
    mixes all four gates) fall back to the dense D × D Jacobian (D = 2N): its local rows are
    built from the dynamics' own Jacobian–vector product applied to the unit vectors, gathered on
    rank 0 and handed to ``numpy.linalg.eigvals`` (O(D³): the caller bounds N).
    """
    points = dynamics.state.shape[1]
    radii = np.full(points, np.nan)
    shift, scale = zero_state_affine_map(dynamics, comm)
    reduced = np.isfinite(scale)
    if reduced.any():
        spectrum = _gathered_eigenvalues(dynamics, comm)
        if comm.rank == 0:
            radii[reduced] = np.abs(shift[reduced, None] + scale[reduced, None] * spectrum[None, :]).max(axis=1)
    for p in np.flatnonzero(~reduced):
        radii[p] = _dense_radius(dynamics, comm, p, zero_state_rows, chunk)
    return comm.bcast(radii)


def zero_state_affine_map(dynamics, comm) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) per point, (A,) each, with spec J(0) \\ {0} = a + b·spec(Z/√N); NaN where it is not so.

    Z/√N: the model's ``zero_state_block`` (the stored rows of the cell input for the LSTM, the only
    matrix for the rate model); the model's own ``zero_state_affine_map(comm)`` gives (a, b). A
    dynamics without one (a test system) has NaN: the dense Jacobian decides.
    """
    if hasattr(dynamics, "zero_state_affine_map"):
        return dynamics.zero_state_affine_map(comm)
    points = dynamics.state.shape[1]
    return np.full(points, np.nan), np.full(points, np.nan)


def _gathered_eigenvalues(dynamics, comm) -> np.ndarray | None:
    """Eigenvalues of the N × N matrix Z/√N of :func:`zero_state_affine_map` on rank 0 (None elsewhere)."""
    block = dynamics.zero_state_block
    pieces = comm.gather((dynamics.units, block))
    if comm.rank != 0:
        return None
    matrix = np.empty((block.shape[1], block.shape[1]))
    for units, piece in pieces:
        matrix[units] = piece
    return np.linalg.eigvals(matrix)


def _dense_radius(dynamics, comm, p: int, zero_state_rows: int, chunk: int) -> float:
    """Spectral radius of point p's dense zero-state Jacobian (rank 0; NaN elsewhere)."""
    rows = dynamics.global_rows
    zero = np.zeros((rows.size, 1), dtype=dynamics.state.dtype)
    local = np.empty((rows.size, zero_state_rows))
    for start in range(0, zero_state_rows, chunk):
        columns = np.arange(start, min(start + chunk, zero_state_rows))
        unit = (rows[:, None] == columns[None, :]).astype(dynamics.state.dtype)[:, None, :]
        local[:, columns] = dynamics.linearization(zero, unit, slice(p, p + 1))[:, 0, :]
    pieces = comm.gather((rows, local))
    if comm.rank != 0:
        return np.nan
    jacobian = np.empty((zero_state_rows, zero_state_rows))
    for piece_rows, piece in pieces:
        jacobian[piece_rows] = piece
    return float(np.abs(np.linalg.eigvals(jacobian)).max())


#: A converging point counts as a fixed point when its step-to-step change fell by this factor.
FIXED_POINT_DECAY = 1e-3
#: A return of the state to within this distance of the reference, relative to the farthest
#: excursion from it, counts as a close return; ``CLOSE_RETURNS`` in a row show a periodic orbit.
RECURRENCE_TOLERANCE = 1e-3
CLOSE_RETURNS = 2
#: Standard errors by which λ_max must exceed 0 for a run to be called chaotic.
SIGNIFICANCE = 3.0


class Recurrence:
    """Returns of the state to a reference state: the positive evidence of a periodic attractor.

    From the first measured step the engine hands :meth:`add` each step's state (this rank's rows)
    and calls :meth:`update` at each renormalisation, which reduces the squared distances
    d²(t) = |x(t) − x_ref|² of the steps since the last over ranks (one reduction). A *return* is
    a local minimum of d²(t) below a quarter of the largest d² seen since the reference was taken
    (for a flow, ``interpolate``: the minimum of the parabola through the three steps around it,
    exact to second order in dt). Its relative size is r = √(d²_min / d²_max); a return with
    r < :data:`RECURRENCE_TOLERANCE` is close. After a return the reference moves to the current
    state, so each return measures one more cycle of the orbit as it is now (an orbit still
    converging onto its cycle has returns that shrink until they are close).

    On a periodic orbit every return is close (r = 0 for a map, r = O(dt³) for a flow with the
    parabola). A chaotic or quasi-periodic trajectory in more than one dimension returns closely
    only by rare chance, and :data:`CLOSE_RETURNS` close returns in a row are asked.
    ``close_returns`` (P,) counts them, ``last_return`` (P,) is the latest r (NaN before one).
    """

    def __init__(self, points: int, *, interpolate: bool) -> None:
        self.interpolate = interpolate
        self.reference = np.zeros((0, points))  # this rank's rows of the reference state, (rows, P)
        self.farthest = np.zeros(points)
        self.tail = np.full((2, points), np.nan)  # the last two global d² (for the next minimum)
        self.close_returns = np.zeros(points, dtype=np.int64)
        self.last_return = np.full(points, np.nan)
        self.pending: list[np.ndarray] = []

    def add(self, state: np.ndarray, index: np.ndarray) -> None:
        """Record this step's local squared distances; ``state`` (rows, A) holds the points ``index``."""
        if not self.reference.size:
            self.reference = np.full((state.shape[0], self.farthest.size), np.nan)
            self.reference[:, index] = state
            return
        d2 = np.full(self.farthest.size, np.nan)
        with np.errstate(over="ignore", invalid="ignore"):
            d2[index] = ((state - self.reference[:, index]) ** 2).sum(axis=0)
        self.pending.append(d2)

    def update(self, comm, state: np.ndarray, index: np.ndarray) -> None:
        """Reduce the pending distances over ranks, find the returns, move the reference after one."""
        if not self.pending:
            return
        series = np.concatenate([self.tail, comm.allreduce(np.stack(self.pending))])
        self.pending = []
        returned = np.zeros(self.farthest.size, dtype=bool)
        for t in range(1, series.shape[0] - 1):
            y0, y1, y2 = series[t - 1], series[t], series[t + 1]
            with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                self.farthest = np.fmax(self.farthest, y0)
                minimum = (y1 <= y0) & (y1 <= y2) & (y1 < self.farthest / 4) & ~returned
                curvature = y0 - 2 * y1 + y2
                lowest = y1 - (y2 - y0) ** 2 / (8 * curvature) if self.interpolate else y1
                lowest = np.where(curvature > 0, np.clip(lowest, 0, y1), y1)
                ratio = np.sqrt(lowest / self.farthest)
            close = ratio < RECURRENCE_TOLERANCE
            self.last_return = np.where(minimum, ratio, self.last_return)
            self.close_returns = np.where(minimum, np.where(close, self.close_returns + 1, 0), self.close_returns)
            returned |= minimum
        self.tail = series[-2:].copy()
        moved = index[returned[index]]  # a new cycle: the reference moves to the current state
        self.reference[:, moved] = state[:, returned[index]]
        self.farthest[moved] = 0.0
        self.tail[:, moved] = np.nan

    @property
    def periodic(self) -> np.ndarray:
        """(P,) whether the last :data:`CLOSE_RETURNS` returns were close."""
        return self.close_returns >= CLOSE_RETURNS

    def state_dict(self) -> dict:
        """Everything to continue bit-identically (``reference``: this rank's rows; nothing pending
        at a renormalisation, where checkpoints are taken)."""
        return {
            "reference": self.reference,
            "farthest": self.farthest,
            "tail": self.tail,
            "close_returns": self.close_returns,
            "last_return": self.last_return,
        }

    def load(self, saved: dict) -> None:
        for name, value in saved.items():
            setattr(self, name, np.array(value))
        self.pending = []


def classify(
    *,
    diverged_step: np.ndarray,
    settled_since: np.ndarray,
    lyapunov_max: np.ndarray,
    stderr: np.ndarray,
    decay: np.ndarray,
    periodic: np.ndarray,
    final_step: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Status (names of :mod:`eoc.status`) and status step of each point; each claims only what
    the data show, in this order of precedence:

    * ``diverged``: a non-finite state or tangent; the step where it was first seen.
    * ``fixed_point``: the state stopped moving (rms change per time unit below a tolerance of
      10⁻² √eps) from ``settled_since`` to the end; or it contracts, λ_max + 3·stderr < 0, and its
      change fell by :data:`FIXED_POINT_DECAY` over the measurement (step: the last step).
    * ``limit_cycle``: ``periodic``, the state returned closely to itself (:class:`Recurrence`);
      step: the last step. Before ``chaotic``: on a periodic orbit the finite-time λ_max is
      O(1/T) and so is its block standard error, so λ_max > 3·stderr happens by chance there,
      while close returns in a row do not happen by chance on a chaotic attractor.
    * ``chaotic``: λ_max − 3·stderr > 0 (:data:`SIGNIFICANCE`); step −1.
    * ``undecided``: none of these is shown (λ_max within 3 standard errors of 0, or no exponent
      measured, and no recurrence): the run was too short to decide; step: the last step.
    """
    status = np.full(diverged_step.size, "undecided", dtype=object)
    step = np.full(diverged_step.size, final_step, dtype=np.int64)
    with np.errstate(invalid="ignore"):
        converging = (lyapunov_max + SIGNIFICANCE * stderr < 0) & (decay < FIXED_POINT_DECAY)
        chaotic = lyapunov_max - SIGNIFICANCE * stderr > 0
    for p in range(status.size):
        if np.isfinite(diverged_step[p]):
            status[p], step[p] = "diverged", int(diverged_step[p])
        elif settled_since[p] >= 0:
            status[p], step[p] = "fixed_point", settled_since[p]
        elif converging[p]:
            status[p] = "fixed_point"
        elif periodic[p]:
            status[p] = "limit_cycle"
        elif chaotic[p]:
            status[p], step[p] = "chaotic", -1
    return status.astype(str), step
