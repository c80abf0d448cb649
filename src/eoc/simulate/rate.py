"""The rate model (docs/science.md §1.2) in continuous time, and fixed-step RK4 for state and tangents.

    dh/dt = F(h) = −h/2 + (g_p/4) Z φ(h) + σ_b,p ξ,       δḣ = DF(h) δ = −δ/2 + (g_p/4) Z (φ'(h) ⊙ δ)

with Z/√N the stored rows (:mod:`eoc.simulate.disorder`), φ = tanh by default (any (φ, φ') pair
may be given: the Lyapunov tests use φ(x) = x). Time unit: t of the equation above (the SCS time is
s = t/2, docs/science.md §1.2).

:func:`rk4_step` advances state and tangents together with the classical fourth-order scheme; the
tangent update is the exact derivative of the RK4 map, so the measured exponents are those of the
discretised flow, which converge to the flow's as O(dt⁴). The default dt = 0.1 is checked in the
tests against dt = 0.05 (the fastest linear rate at the zero state is 1/2 + g/4, so dt·(1/2 + g/4)
stays well inside RK4's stability interval 2.78 for g ≲ 20; a much larger dt diverges and the
engine records that as status "diverged").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import ClassVar

import numpy as np

from eoc.errors import InputError
from eoc.simulate.disorder import Disorder
from eoc.simulate.recurrent import RecurrentProduct


def tanh_derivative(x: np.ndarray) -> np.ndarray:
    """φ'(x) = 1 − tanh²(x)."""
    return 1.0 - np.tanh(x) ** 2


def rk4_step(rhs: Callable, state: np.ndarray, tangents: np.ndarray, dt: float):
    """One classical RK4 step of (ẋ, δ̇) = (F(x), DF(x)·δ); ``rhs(x, δ)`` returns both."""
    k1, l1 = rhs(state, tangents)
    k2, l2 = rhs(state + (dt / 2) * k1, tangents + (dt / 2) * l1)
    k3, l3 = rhs(state + (dt / 2) * k2, tangents + (dt / 2) * l2)
    k4, l4 = rhs(state + dt * k3, tangents + dt * l3)
    return (
        state + (dt / 6) * (k1 + 2 * k2 + 2 * k3 + k4),
        tangents + (dt / 6) * (l1 + 2 * l2 + 2 * l3 + l4),
    )


class RateModel:
    """The batched rate model on one rank's units, integrated with :func:`rk4_step`, and the model's
    facts (the entry "rate" of :data:`eoc.simulate.models.MODELS`)."""

    #: The model's name in options, paths and the ``model`` coordinate.
    name = "rate"
    #: The model's name in figures.
    label = "rate model"
    #: State variables per unit: h.
    state_per_unit = 1
    #: No gates (per-gate gains and bias means are refused) and no gate statistics.
    gates = ()
    recorded_gates = ()
    #: One weight block, the coupling matrix J = Z/√N (N × N).
    weight_blocks = ("J",)
    #: Products with the recurrent matrix per step: one per RK4 stage.
    products_per_step = 4
    #: A flow: the time unit is t of the equation above; one step is dt.
    time_unit = "t"
    flow = True  # continuous time: the engine also interpolates returns of the state between steps
    dt_meaning = "RK4 step in units of t, 1/n or n for an integer n"
    #: Run length and renormalisation interval in steps of dt (dt = 0.1: 500 t measured after 100 t).
    defaults: ClassVar[dict[str, int]] = {"steps": 5000, "transient": 1000, "renorm_interval": 10}
    #: Standard deviation of the initial state's entries.
    initial_scale = 1.0

    @classmethod
    def check_time_step(cls, dt: float) -> float:
        """``dt`` itself, if it is 1/n or n for an integer n (lags are spaced by max(1, dt))."""
        if not any(math.isclose(x, round(x), rel_tol=1e-9) for x in (1 / dt, dt)):
            raise InputError(f"dt must be 1/n or n for an integer n (lags are spaced by max(1, dt)), got dt={dt!r}")
        return dt

    @classmethod
    def point_gains(cls, g: np.ndarray, gate_gains: dict[str, float]) -> np.ndarray:
        """(P,) gains: the point's g."""
        return g

    @classmethod
    def build(cls, disorder, product, *, options, gains, bias_scales, state, tangents, **extra) -> RateModel:
        """The dynamics of ``options`` (an :class:`eoc.simulate.options.Options`) on one rank;
        ``extra``: e.g. ``transfer`` (a (φ, φ') pair instead of tanh)."""
        return cls(
            disorder,
            product,
            gains=gains,
            bias_scales=bias_scales,
            state=state,
            tangents=tangents,
            dt=options.dt,
            **extra,
        )

    def __init__(
        self,
        disorder: Disorder,
        product: RecurrentProduct,
        *,
        gains: np.ndarray,
        bias_scales: np.ndarray,
        state: np.ndarray,
        tangents: np.ndarray,
        dt: float,
        transfer: tuple[Callable, Callable] = (np.tanh, tanh_derivative),
    ) -> None:
        """``gains`` and ``bias_scales``: (A,) per point; ``state`` (n_local, A); ``tangents`` (n_local, A, k)."""
        self.units = disorder.units
        self.product = product
        self.time_step = float(dt)
        self.gains = np.asarray(gains, dtype=state.dtype)
        self.bias = (disorder.bias[0][:, None] * np.asarray(bias_scales)[None, :]).astype(state.dtype)
        self.phi, self.phi_prime = transfer
        self.state = state
        self.tangents = tangents

    @property
    def observed(self) -> np.ndarray:
        """h of the local units, (n_local, A)."""
        return self.state

    def keep(self, mask: np.ndarray) -> None:
        """Drop the points where ``mask`` is False (frozen: diverged)."""
        self.gains = self.gains[mask]
        self.product.keep(mask)
        self.bias = self.bias[:, mask]
        self.state = np.ascontiguousarray(self.state[:, mask])
        self.tangents = np.ascontiguousarray(self.tangents[:, mask])

    @property
    def global_rows(self) -> np.ndarray:
        """Index of each local state row in the global state h_0..h_{N−1}."""
        return np.arange(self.units.start, self.units.stop)

    def rhs(self, state: np.ndarray, tangents: np.ndarray, points: slice = slice(None)):
        """(F(h), DF(h)·δ) for the local units and the points ``points`` of the batch (``state``
        holds only those): one product with the recurrent matrix."""
        n, n_points, k = tangents.shape
        gains, bias = self.gains[points], self.bias[:, points]
        columns = np.empty((n, n_points * (1 + k)), dtype=state.dtype)
        with np.errstate(over="ignore", invalid="ignore"):
            columns[:, :n_points] = self.phi(state)
            columns[:, n_points:] = (self.phi_prime(state)[..., None] * tangents).reshape(n, n_points * k)
            product = self.product(columns)
            drift = -0.5 * state + 0.25 * gains * product[:, :n_points] + bias
            tangent_drift = -0.5 * tangents + 0.25 * gains[:, None] * product[:, n_points:].reshape(n, n_points, k)
        return drift, tangent_drift

    def step(self) -> None:
        """Advance state and tangents by one RK4 step of length dt (new arrays replace the old)."""
        with np.errstate(over="ignore", invalid="ignore"):
            self.state, self.tangents = rk4_step(self.rhs, self.state, self.tangents, self.time_step)

    def zero_state_affine_map(self, comm) -> tuple[np.ndarray, np.ndarray]:
        """(a, b) per point with spec DF(0) = a + b·spec(Z/√N): a = −1/2, b = g·φ'(0)/4 for every
        point (the biases do not enter DF at h = 0; docs/science.md §2)."""
        slope = float(np.asarray(self.phi_prime(np.zeros(1)))[0])
        return np.full(self.state.shape[1], -0.5), self.gains.astype(np.float64) * slope / 4

    @property
    def zero_state_block(self) -> np.ndarray:
        """The local rows of Z/√N, whose spectrum :meth:`zero_state_affine_map` maps."""
        return self.product.weights

    def linearization(self, state: np.ndarray, tangents: np.ndarray, points: slice = slice(None)) -> np.ndarray:
        """DF(state) · tangents (the local rows of the flow's Jacobian applied to the tangents)."""
        return self.rhs(state, tangents, points)[1]
