"""The autonomous LSTM (docs/science.md §1.1) and its exact Jacobian–vector product, batched over points.

    f = σ(a_f)  i = σ(a_i)  o = σ(a_o)  ĉ = tanh(a_c),   a_x = g_x,p (Z_x h) + σ_b,p ξ_x + μ_x
    c' = f ⊙ c + i ⊙ ĉ        h' = o ⊙ tanh(c')

with Z_x/√N the stored rows (:mod:`eoc.simulate.disorder`), g_x,p the gain of gate x at point p
and σ_b,p its bias spread. Time unit: one step. Tangent vectors (δc, δh) follow the exact
derivative of this map:

    δa_x = g_x,p (Z_x δh),   δf = f(1−f) δa_f (same for i, o),   δĉ = (1−ĉ²) δa_c
    δc' = δf ⊙ c + f ⊙ δc + δi ⊙ ĉ + i ⊙ δĉ,     δh' = δo ⊙ tanh(c') + o ⊙ (1 − tanh²c') ⊙ δc'

Layout (one rank, A active points, k tangents): ``state`` (2·n_local, A) holds [c; h] of the rank's
units, ``tangents`` (2·n_local, A, k) holds [δc; δh]. One product per step: the columns
[h_1..h_A, δh of point 1 (k columns), ..., δh of point A] go through the 4N × N matrix together.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from eoc.simulate.disorder import Disorder
from eoc.simulate.recurrent import RecurrentProduct

GATES = ("f", "i", "o", "c")


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1/(1 + e^{−x}), written with tanh so that it neither overflows nor loses precision."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


class LSTM:
    """The batched LSTM map on one rank's units, and the model's facts (the entry "lstm" of
    :data:`eoc.simulate.models.MODELS`)."""

    #: The model's name in options, paths and the ``model`` coordinate.
    name = "lstm"
    #: The model's name in figures.
    label = "LSTM"
    #: State variables per unit: (c, h); the state vector is [c_0..c_{N−1}, h_0..h_{N−1}].
    state_per_unit = 2
    #: The gates, in the order of the stacked weight blocks U_f, U_i, U_o, U_c (4N × N); each has
    #: its own gain (``gate_gains``) and bias mean (``bias_means``).
    gates = GATES
    weight_blocks = GATES
    #: The gates whose mean and standard deviation over units and time are recorded (ĉ is not a gate
    #: in (0, 1) and is not recorded).
    recorded_gates = ("f", "i", "o")
    #: Products with the recurrent matrix per step (the map needs one).
    products_per_step = 1
    #: A map: the time unit is one step, whatever ``dt`` says (the options store dt = 1).
    time_unit = "step"
    flow = False
    dt_meaning = "fixed at 1 (one step of the map)"
    #: Run length and renormalisation interval in steps.
    defaults: ClassVar[dict[str, int]] = {"steps": 5000, "transient": 1000, "renorm_interval": 10}
    #: Standard deviation of the initial state's entries.
    initial_scale = 0.5
    time_step = 1.0

    @classmethod
    def check_time_step(cls, dt: float) -> float:
        """The step of the map: always 1 (``dt`` is accepted and ignored)."""
        return 1.0

    @classmethod
    def point_gains(cls, g: np.ndarray, gate_gains: dict[str, float]) -> np.ndarray:
        """(4, P) gains per gate and point: ``gate_gains[x]`` where given, else the point's g."""
        return np.stack([np.full_like(g, gate_gains[gate]) if gate in gate_gains else g for gate in GATES])

    @classmethod
    def build(cls, disorder, product, *, options, gains, bias_scales, state, tangents) -> LSTM:
        """The dynamics of ``options`` (an :class:`eoc.simulate.options.Options`) on one rank."""
        means = np.array([options.bias_means.get(gate, 0.0) for gate in GATES])
        return cls(
            disorder, product, gains=gains, bias_scales=bias_scales, bias_means=means, state=state, tangents=tangents
        )

    def __init__(
        self,
        disorder: Disorder,
        product: RecurrentProduct,
        *,
        gains: np.ndarray,
        bias_scales: np.ndarray,
        bias_means: np.ndarray,
        state: np.ndarray,
        tangents: np.ndarray,
    ) -> None:
        """``gains`` (4, A): per gate and point; ``bias_scales`` (A,); ``bias_means`` (4,)."""
        self.units = disorder.units
        self.n_local = disorder.units.stop - disorder.units.start
        self.product = product
        bias = disorder.bias[:, :, None] * np.asarray(bias_scales)[None, None, :]
        self.gains = np.asarray(gains, dtype=state.dtype)
        self.bias = (bias + np.asarray(bias_means)[:, None, None]).astype(state.dtype)
        self.state = state
        self.tangents = tangents
        self.gate_values: np.ndarray | None = None  # (3, n_local, A): f, i, o of the last step

    @property
    def observed(self) -> np.ndarray:
        """h of the local units, (n_local, A)."""
        return self.state[self.n_local :]

    def keep(self, mask: np.ndarray) -> None:
        """Drop the points where ``mask`` is False (frozen: diverged)."""
        self.gains = self.gains[:, mask]
        self.product.keep(mask)
        self.bias = self.bias[:, :, mask]
        self.state = np.ascontiguousarray(self.state[:, mask])
        self.tangents = np.ascontiguousarray(self.tangents[:, mask])

    def step(self) -> None:
        """Advance the state and the tangent vectors by one step (new arrays replace the old)."""
        self.state, self.tangents, self.gate_values = self.advance(self.state, self.tangents)

    @property
    def global_rows(self) -> np.ndarray:
        """Index of each local state row in the global state [c_0..c_{N−1}, h_0..h_{N−1}]."""
        units = np.arange(self.units.start, self.units.stop)
        return np.concatenate([units, self.product.partition.n + units])

    def advance(self, state: np.ndarray, tangents: np.ndarray, points: slice = slice(None)):
        """The map and its exact JVP for the points ``points`` of the batch (``state`` holds only
        those): return (state', tangents', gates f, i, o)."""
        n, (_, n_points, k) = self.n_local, tangents.shape
        gains, bias = self.gains[:, points], self.bias[:, :, points]
        c, h = state[:n], state[n:]
        dc, dh = tangents[:n], tangents[n:]
        columns = np.empty((n, n_points * (1 + k)), dtype=state.dtype)
        columns[:, :n_points] = h
        columns[:, n_points:] = dh.reshape(n, n_points * k)
        product = self.product(columns).reshape(4, n, n_points * (1 + k))
        with np.errstate(over="ignore", invalid="ignore"):
            pre = product[:, :, :n_points] * gains[:, None, :] + bias
            dpre = product[:, :, n_points:].reshape(4, n, n_points, k) * gains[:, None, :, None]
            f, i, o = sigmoid(pre[:3])
            c_hat = np.tanh(pre[3])
            df = (f * (1 - f))[..., None] * dpre[0]
            di = (i * (1 - i))[..., None] * dpre[1]
            do = (o * (1 - o))[..., None] * dpre[2]
            dc_hat = (1 - c_hat**2)[..., None] * dpre[3]
            new_state = np.empty_like(state)
            new_tangents = np.empty_like(tangents)
            c_new = new_state[:n]
            c_new[...] = f * c + i * c_hat
            dc_new = new_tangents[:n]
            dc_new[...] = df * c[..., None] + f[..., None] * dc + di * c_hat[..., None] + i[..., None] * dc_hat
            tanh_c = np.tanh(c_new)
            new_state[n:] = o * tanh_c
            new_tangents[n:] = do * tanh_c[..., None] + (o * (1 - tanh_c**2))[..., None] * dc_new
        return new_state, new_tangents, np.stack([f, i, o])

    def zero_state_affine_map(self, comm) -> tuple[np.ndarray, np.ndarray]:
        """(a, b) per point with spec J(0) \\ {0} = a + b·spec(Z_c/√N): a = 1/2, b = g_c/4 where every
        bias of the point is zero on every rank (docs/science.md §2); NaN elsewhere (the zero state is
        not a fixed point and the Jacobian mixes all four gates)."""
        points = self.state.shape[1]
        largest_bias = np.abs(self.bias).max(axis=(0, 1)) if self.bias.shape[1] else np.zeros(points)
        unbiased = comm.allreduce(largest_bias.astype(np.float64), op="max") == 0
        scale = np.where(unbiased, self.gains[3].astype(np.float64) / 4, np.nan)
        return np.full(points, 0.5), scale

    @property
    def zero_state_block(self) -> np.ndarray:
        """The local rows of Z_c/√N, whose spectrum :meth:`zero_state_affine_map` maps."""
        return self.product.weights[3 * self.n_local : 4 * self.n_local]

    def linearization(self, state: np.ndarray, tangents: np.ndarray, points: slice = slice(None)) -> np.ndarray:
        """J(state) · tangents for the map (the local rows of the Jacobian applied to the tangents)."""
        return self.advance(state, tangents, points)[1]
