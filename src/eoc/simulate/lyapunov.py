"""Lyapunov exponents by Benettin's method with QR re-orthonormalisation across ranks.

k tangent vectors per point follow the exact Jacobian–vector product of the dynamics. Every
``renorm_interval`` steps they are re-orthonormalised, T = Q R, and the exponents are the time
averages of log|R_jj|:

    λ_j = (1 / T_measured) Σ_intervals log |R_jj|,      λ_1 = λ_max.

The QR is TSQR across ranks: each rank factors its own rows (T_r = Q_r R_r), the small k × k
factors R_r of all ranks are gathered and factored once more ([R_0; R_1; ...] = Q' R), and every
rank forms its rows of Q as Q_r Q'_r. It is unconditionally stable (unlike Cholesky-QR, whose Gram
matrix squares the condition number), so long renormalisation intervals and all N exponents of
a small network are safe. The standard error of λ_max comes from block averages of the
per-interval growth rates (:func:`block_stderr`).

Any dynamics with the attributes ``time_step``, ``state`` (rows_local, A), ``tangents``
(rows_local, A, k) and a ``step()`` method plugs into this machinery (the LSTM, the rate model,
and the test systems with known exponents).
"""

from __future__ import annotations

import numpy as np

#: Number of blocks for the block-average standard error of λ_max.
STDERR_BLOCKS = 20


def orthonormalize(tangents: np.ndarray, comm) -> np.ndarray:
    """Replace ``tangents`` (rows_local, A, k) by the Q of their QR across ranks, in place.

    Returns log|diag R| as an (A, k) float64 array, the same on every rank. R's diagonal is made
    positive, so Q is unique and independent of the rank count (up to rounding).
    """
    batch = np.moveaxis(tangents, 1, 0).astype(np.float64)  # (A, rows_local, k)
    q_local, r_local = np.linalg.qr(batch, mode="reduced")
    r_all = comm.allgather(r_local)
    q_stack, r = np.linalg.qr(np.concatenate(r_all, axis=1), mode="reduced")
    start = sum(piece.shape[1] for piece in r_all[: comm.rank])
    q = q_local @ q_stack[:, start : start + r_local.shape[1], :]
    diagonal = np.diagonal(r, axis1=1, axis2=2)
    sign = np.where(diagonal < 0, -1.0, 1.0)
    tangents[...] = np.moveaxis(q * sign[:, None, :], 0, 1)
    with np.errstate(divide="ignore"):
        return np.log(np.abs(diagonal))


def block_stderr(rates: np.ndarray, *, blocks: int = STDERR_BLOCKS) -> np.ndarray:
    """Standard error of the mean of ``rates`` (intervals, P) from ``blocks`` contiguous block means.

    Block means of a correlated series become independent when blocks are longer than the
    correlation time; then stderr = std(block means) / √blocks. NaN with fewer than 2 blocks.
    """
    rates = np.asarray(rates, dtype=float)
    blocks = min(blocks, rates.shape[0])
    if blocks < 2:
        return np.full(rates.shape[1:], np.nan)
    length = rates.shape[0] // blocks
    means = rates[: blocks * length].reshape(blocks, length, *rates.shape[1:]).mean(axis=1)
    return means.std(axis=0, ddof=1) / np.sqrt(blocks)


def kaplan_yorke_dimension(exponents: np.ndarray) -> float:
    """D_KY = j + (λ_1 + ... + λ_j) / |λ_{j+1}|, j the largest index with a non-negative partial sum.

    0 when λ_1 < 0 (a stable fixed point); NaN when every partial sum of the k exponents is
    non-negative (k too small to close the sum) or an exponent is NaN.
    """
    exponents = np.sort(np.asarray(exponents, dtype=float))[::-1]
    if np.isnan(exponents).any():
        return float("nan")
    partial = np.cumsum(exponents)
    if partial[0] < 0:
        return 0.0
    nonnegative = np.nonzero(partial >= 0)[0]
    j = int(nonnegative[-1]) + 1
    if j == exponents.size:
        return float("nan")
    return j + partial[j - 1] / abs(exponents[j])


def entropy_rate(exponents: np.ndarray) -> float:
    """Sum of the positive exponents (Pesin's upper bound on the KS entropy rate).

    NaN when the smallest of the k exponents is still positive (positive ones may be missing).
    """
    exponents = np.asarray(exponents, dtype=float)
    if np.isnan(exponents).any() or exponents.min() > 0:
        return float("nan")
    return float(exponents[exponents > 0].sum())


class Benettin:
    """Accumulates log|R_jj| over the measured intervals for P points and k exponents."""

    def __init__(self, points: int, k: int) -> None:
        self.log_sums = np.zeros((points, k))
        self.measured_time = 0.0
        self.leading_rates: list[np.ndarray] = []  # one (P,) array of log|R_11|/interval per interval

    def add(self, log_r: np.ndarray, interval: float) -> None:
        """Add one interval's (P, k) log|R_jj| (NaN for frozen points) of duration ``interval``."""
        self.log_sums += log_r
        self.measured_time += interval
        self.leading_rates.append(log_r[:, 0] / interval)

    @property
    def exponents(self) -> np.ndarray:
        """(P, k) exponents, per unit of model time."""
        return self.log_sums / self.measured_time if self.measured_time else np.full_like(self.log_sums, np.nan)

    @property
    def stderr(self) -> np.ndarray:
        """(P,) block-average standard error of λ_max."""
        if not self.leading_rates or not self.log_sums.shape[1]:
            return np.full(self.log_sums.shape[0], np.nan)
        return block_stderr(np.stack(self.leading_rates))

    def state_dict(self) -> dict:
        return {
            "log_sums": self.log_sums,
            "measured_time": np.array(self.measured_time),
            "leading_rates": np.stack(self.leading_rates)
            if self.leading_rates
            else np.zeros((0, self.log_sums.shape[0])),
        }

    def load(self, saved: dict) -> None:
        self.log_sums = np.array(saved["log_sums"])
        self.measured_time = float(saved["measured_time"])
        self.leading_rates = list(np.array(saved["leading_rates"]))
