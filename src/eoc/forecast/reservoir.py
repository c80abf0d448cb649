"""An input-driven LSTM reservoir with a ridge-regression readout, batched over (g, σ_b) points.

The recurrent part is the project's LSTM (docs/science.md §1.1) with the same disorder as the autonomous
simulations (:class:`eoc.simulate.disorder.Disorder`: weights g_x Z_x/√N, biases σ_b ξ_x + μ_x),
plus an input u_t ∈ R^d through its own weights, drawn from the stream INPUT_STREAM of the seed:

    a_x = g_x Z_x h_{t−1} + g_in V_x u_t + σ_b ξ_x + μ_x,   V_x iid N(0, 1/d),
    c_t = f c_{t−1} + i ĉ,   h_t = o tanh(c_t).

Readout: ŷ_t = W [h_t; 1] predicts u_{t+1}; W minimises Σ_t |W x_t − y_t|² + β |W|² (ridge,
closed form W = Y Xᵀ (X Xᵀ + β I)⁻¹, solved as a positive-definite system). The inputs are
standardised with the training stretch's mean and std; all errors are in those units.

Errors: NRMSE = √(⟨|ŷ − y|²⟩ / Σ_k var_k(y)) over the test stretch (``one_step``: teacher forced;
``free_run``: from several starts in the test stretch the reservoir runs on its own predictions for
``horizon`` steps, error over those steps, averaged over starts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import solve

from eoc.errors import InputError
from eoc.simulate.disorder import Disorder, stream

INPUT_STREAM = 3
"""Stream kind of the input weights (eoc.simulate.disorder uses 0, 1, 2)."""


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def ridge(features: np.ndarray, targets: np.ndarray, regularisation: float) -> np.ndarray:
    """W = Y Xᵀ (X Xᵀ + β I)⁻¹ for features X (T, n) and targets Y (T, d): returns (d, n)."""
    if regularisation < 0:
        raise InputError(f"the ridge regularisation must be ≥ 0, got {regularisation}")
    gram = features.T @ features + regularisation * np.eye(features.shape[1])
    return solve(gram, features.T @ targets, assume_a="pos").T


def nrmse(prediction: np.ndarray, target: np.ndarray, variance: np.ndarray) -> float:
    """√(mean over samples of |ŷ − y|² / Σ_k var_k): (samples, d) arrays, ``variance`` (d,)."""
    return float(np.sqrt(np.mean(np.sum((prediction - target) ** 2, axis=-1)) / np.sum(variance)))


@dataclass
class Reservoir:
    """The reservoir for P points (columns): gains (4, P), biases (4, N, P), input weights (4N, d)."""

    weights: np.ndarray  # (4N, N) = Z/√N, gate-major
    input_weights: np.ndarray  # (4N, d) = V
    gains: np.ndarray  # (4, P)
    input_gain: float
    bias: np.ndarray  # (4, N, P)

    @classmethod
    def draw(cls, *, n: int, seed: int, g, sigma_b, inputs: int, input_gain: float, bias_means=None) -> Reservoir:
        """Points are the outer product of ``g`` and ``sigma_b`` (g-major)."""
        disorder = Disorder.draw(n=n, seed=seed, gates=4, units=slice(0, n))
        g, sigma_b = np.meshgrid(np.asarray(g, float), np.asarray(sigma_b, float), indexing="ij")
        g, sigma_b = g.ravel(), sigma_b.ravel()
        mu = np.array([float((bias_means or {}).get(x, 0.0)) for x in "fioc"])
        inputs_w = stream(seed, INPUT_STREAM).standard_normal((4 * n, inputs)) / np.sqrt(inputs)
        bias = disorder.bias[:, :, None] * sigma_b[None, None, :] + mu[:, None, None]
        return cls(disorder.weights, inputs_w, np.repeat(g[None, :], 4, axis=0), float(input_gain), bias)

    @property
    def n(self) -> int:
        return self.weights.shape[1]

    def step(self, c: np.ndarray, h: np.ndarray, u: np.ndarray):
        """One step for states (N, M) and inputs (d, M), M = P·r columns (point-major blocks of r)."""
        n, m = h.shape
        repeat = m // self.gains.shape[1]
        gains = np.repeat(self.gains, repeat, axis=1)
        bias = np.repeat(self.bias, repeat, axis=2)
        pre = (self.weights @ h).reshape(4, n, m) * gains[:, None, :] + bias
        pre += self.input_gain * (self.input_weights @ u).reshape(4, n, m)
        f, i, o = _sigmoid(pre[:3])
        c = f * c + i * np.tanh(pre[3])
        return c, o * np.tanh(c)

    def drive(self, series: np.ndarray, cell_steps=()):
        """Teacher-forced run from the zero state for inputs (T, d): h_t (T, N, P), and c_t at
        ``cell_steps`` (len, N, P)."""
        steps, points = series.shape[0], self.gains.shape[1]
        c = np.zeros((self.n, points))
        h = np.zeros((self.n, points))
        states = np.empty((steps, self.n, points))
        wanted = {int(t): j for j, t in enumerate(cell_steps)}
        cells = np.empty((len(wanted), self.n, points))
        for t in range(steps):
            c, h = self.step(c, h, np.repeat(series[t][:, None], points, axis=1))
            states[t] = h
            if t in wanted:
                cells[wanted[t]] = c
        return states, cells


def forecast_errors(
    reservoir: Reservoir,
    series: np.ndarray,
    *,
    washout: int,
    train: int,
    test: int,
    horizon: int,
    starts: int,
    regularisation: float,
) -> dict[str, np.ndarray]:
    """Train on [washout, washout + train), test on the next ``test`` steps: NRMSEs per point (P,).

    ``series`` (samples, d) must have washout + train + test + 1 samples (the standardisation uses
    the training stretch only). Returns ``one_step`` and ``free_run`` arrays of shape (P,)."""
    need = washout + train + test + 1
    if series.shape[0] < need:
        raise InputError(f"the series has {series.shape[0]} samples, the task needs {need}")
    if horizon < 1 or starts < 1 or horizon > test:
        raise InputError(f"need 1 ≤ horizon, 1 ≤ starts and horizon ≤ test, got {horizon}, {starts}, {test}")
    training = slice(washout, washout + train)
    mean, std = series[training].mean(axis=0), series[training].std(axis=0)
    u = (series[:need] - mean) / std
    first = washout + train + np.linspace(0, test - horizon, starts).astype(int)
    states, cells = reservoir.drive(u[: need - 1], cell_steps=first)
    points = states.shape[2]
    ones = np.ones((states.shape[0], 1))
    testing = slice(washout + train, washout + train + test)
    variance = u[washout + train + 1 : need].var(axis=0)
    one_step, free_run = np.empty(points), np.empty(points)
    readouts = []
    for p in range(points):
        features = np.hstack([states[:, :, p], ones])
        readout = ridge(features[training], u[washout + 1 : washout + train + 1], regularisation)
        readouts.append(readout)
        one_step[p] = nrmse(features[testing] @ readout.T, u[washout + train + 1 : need], variance)
    free_run[:] = _free_run(reservoir, u, states, cells, readouts, first, horizon, variance)
    return {"one_step": one_step, "free_run": free_run}


def _free_run(reservoir, u, states, c_at, readouts, first, horizon, variance):
    """NRMSE of closed-loop predictions over ``horizon`` steps from each teacher-forced start
    (h, c at the start steps), per point; all points and starts run together as columns."""
    points, starts = len(readouts), first.size
    h = states[first].transpose(1, 2, 0).reshape(reservoir.n, points * starts)  # point-major blocks
    c = c_at.transpose(1, 2, 0).reshape(reservoir.n, points * starts)
    W = np.stack(readouts)  # (P, d, N + 1)
    errors = np.zeros((points, starts))
    for k in range(horizon):
        x = np.vstack([h, np.ones((1, h.shape[1]))]).reshape(reservoir.n + 1, points, starts)
        prediction = np.einsum("pdn,nps->dps", W, x)  # (d, P, S)
        target = u[first + 1 + k].T  # (d, S)
        errors += np.sum((prediction - target[:, None, :]) ** 2, axis=0)
        c, h = reservoir.step(c, h, prediction.reshape(-1, points * starts))
    return np.sqrt(errors.mean(axis=1) / horizon / np.sum(variance))
