"""The LSTM's fixed point and its Jacobian at finite N (the oracle of :mod:`eoc.meanfield.lstm_fixed_point`).

The network is the project's: weights g_x Z_x/√N and biases σ_b ξ_x + μ_x from
:class:`eoc.simulate.disorder.Disorder` (gate order f, i, o, c). At a fixed point c* = i ĉ/(1 − f),
h* = o tanh(c*), i.e. h* solves h = T(h) with T(h) = o tanh(i ĉ (1 + e^{a_f})), a_x = g_x Z_x h + b_x.
It is found by Newton's method (exact Jacobian) continued in the gain
from 0, where T does not depend on h: the branch connected to g = 0, the one the criterion is about.

The Jacobian of the map (c, h) ↦ (c', h') at the fixed point (S = 1 − tanh²c*):

    [[diag f,        B                         ],     B = diag(c* f(1−f)) g_f Z_f + diag(ĉ i(1−i)) g_i Z_i
     [diag(o S f),   diag(tanh c* o(1−o)) g_o Z_o + diag(o S) B]]          + diag(i(1−ĉ²)) g_c Z_c
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eoc.simulate.disorder import Disorder


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


@dataclass
class Network:
    """One LSTM realisation: ``weights`` (4, N, N) = Z_x/√N, ``gains`` (4,), ``bias`` (4, N)."""

    weights: np.ndarray
    gains: np.ndarray
    bias: np.ndarray

    @classmethod
    def draw(cls, *, n: int, seed: int, g: float, sigma_b: float, bias_means=None, gain_ratios=None) -> Network:
        """The network of the simulation with the same (N, seed, g, σ_b, μ) (gates f, i, o, c)."""
        disorder = Disorder.draw(n=n, seed=seed, gates=4, units=slice(0, n))
        mu = np.array([float((bias_means or {}).get(x, 0.0)) for x in "fioc"])
        ratios = np.array([float((gain_ratios or {}).get(x, 1.0)) for x in "fioc"])
        return cls(disorder.weights.reshape(4, n, n), g * ratios, sigma_b * disorder.bias + mu[:, None])

    @property
    def n(self) -> int:
        return self.weights.shape[1]

    def scaled(self, t: float) -> Network:
        """The same network with all gains multiplied by ``t`` (the continuation parameter)."""
        return Network(self.weights, self.gains * t, self.bias)

    def preactivations(self, h: np.ndarray) -> np.ndarray:
        return self.gains[:, None] * (self.weights @ h) + self.bias


@dataclass
class FixedPoint:
    """Per-unit values at the fixed point: gates f, i, o, ĉ, the cell c and hidden state h."""

    f: np.ndarray
    i: np.ndarray
    o: np.ndarray
    c_hat: np.ndarray
    c: np.ndarray
    h: np.ndarray

    @classmethod
    def at(cls, network: Network, h: np.ndarray) -> FixedPoint:
        a = network.preactivations(h)
        f, i, o, c_hat = _sigmoid(a[0]), _sigmoid(a[1]), _sigmoid(a[2]), np.tanh(a[3])
        c = i * c_hat * (1.0 + np.exp(a[0]))
        return cls(f, i, o, c_hat, c, o * np.tanh(c))

    @property
    def q(self) -> float:
        """⟨h*²⟩ over units."""
        return float(np.mean(self.h**2))


def _residual(network: Network, h: np.ndarray):
    """T(h) − h and its Jacobian dT/dh − I."""
    p = FixedPoint.at(network, h)
    S = 1 - np.tanh(p.c) ** 2
    inv_one_minus_f = 1 + np.exp(network.preactivations(h)[0])
    d = np.stack(
        [  # ∂T_j/∂a_x,j
            p.o * S * p.c * p.f,
            p.o * S * p.c_hat * p.i * (1 - p.i) * inv_one_minus_f,
            np.tanh(p.c) * p.o * (1 - p.o),
            p.o * S * p.i * (1 - p.c_hat**2) * inv_one_minus_f,
        ]
    )
    jac = -np.eye(network.n)
    for x in range(4):
        jac += (d[x] * network.gains[x])[:, None] * network.weights[x]
    return p.h - h, jac


def find_fixed_point(network: Network, *, steps: int = 8, tol: float = 1e-11, max_iterations: int = 60) -> FixedPoint:
    """The fixed point on the branch continued from gain 0 (``steps`` equal steps in the gain;
    at each, Newton's method with the exact Jacobian, step halved until the residual decreases)."""
    h = FixedPoint.at(network.scaled(0.0), np.zeros(network.n)).h
    for t in np.linspace(0.0, 1.0, steps + 1)[1:]:
        scaled = network.scaled(t)
        residual, jac = _residual(scaled, h)
        for _ in range(max_iterations):
            if np.max(np.abs(residual)) < tol:
                break
            step, size = np.linalg.solve(jac, residual), 1.0
            while size > 1e-4:
                trial = h - size * step
                trial_residual, trial_jac = _residual(scaled, trial)
                if np.linalg.norm(trial_residual) < np.linalg.norm(residual):
                    break
                size /= 2
            h, residual, jac = trial, trial_residual, trial_jac
        else:
            raise RuntimeError(
                f"no fixed point found at gain fraction {t:.2f} (residual "
                f"{np.max(np.abs(residual)):.2e}): the branch folded or Newton diverged"
            )
    return FixedPoint.at(network, h)


def jacobian(network: Network, p: FixedPoint) -> np.ndarray:
    """The 2N × 2N Jacobian of (c, h) ↦ (c', h') at the fixed point ``p`` (module docstring)."""
    gf, gi, go, gc = network.gains
    Zf, Zi, Zo, Zc = network.weights
    S = 1 - np.tanh(p.c) ** 2
    B = (
        (p.c * p.f * (1 - p.f) * gf)[:, None] * Zf
        + (p.c_hat * p.i * (1 - p.i) * gi)[:, None] * Zi
        + (p.i * (1 - p.c_hat**2) * gc)[:, None] * Zc
    )
    n = network.n
    J = np.zeros((2 * n, 2 * n))
    J[:n, :n] = np.diag(p.f)
    J[:n, n:] = B
    J[n:, :n] = np.diag(p.o * S * p.f)
    J[n:, n:] = (np.tanh(p.c) * p.o * (1 - p.o) * go)[:, None] * Zo + (p.o * S)[:, None] * B
    return J
