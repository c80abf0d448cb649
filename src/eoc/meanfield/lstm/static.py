"""The LSTM's static (fixed-point) mean-field solution, its stability and the onset g_c(σ_b).

A fixed point of the network is, at N = ∞, a unit-wise fixed point of the scalar map driven by
static Gaussian fields a_x = μ_x + s_x z_x with s_x² = σ_x² C0 + σ_b² (x = f, i, o, c; z_x
independent standard normals; C0 = ⟨h*²⟩):

    c* = i ĉ / (1 − f),   h* = o tanh(c*),   C0 = E[h*²] = E[o²] E[tanh²(c*)]            (static)

(f, i, o = σ(a_f), σ(a_i), σ(a_o), ĉ = tanh(a_c)). The branch solved is the smallest root of
(static), the one continuous from g → 0 (C0 = 0, the zero state, when σ_b = 0 and μ_c = 0).

Stability (docs/meanfield-lstm.md §4). An eigenvector (δc, δh) of the Jacobian with eigenvalue
z has δc = B·(U δh)/(z − f) and z δh = o′ tanh(c*) (U_o δh) + o sech²(c*) z δc, with B the
derivative of i ĉ by the three fields; the delocalised (bulk) spectrum reaches z where

    R(z) = σ_o² E[o′²] E[tanh² c*] / z² + E[o²] E[sech⁴ c* (σ_f² f′² c*² + σ_i² i′² ĉ² + σ_c² i² ĉ′²) / (z − f)²] = 1

(σ′ = σ(1 − σ), ĉ′ = 1 − ĉ²; circular law for Σ_x D_x U_x with diagonal D_x). The stability
parameter is s = R(1): the fixed point's bulk is stable for s < 1; s = 1 is the onset. At the zero
state R(z) = σ_c² / (16 (z − 1/2)²), so the radius is 1/2 + σ_c/4 and s = σ_c²/4 (g_c = 2).

Besides the bulk, each unit carries an eigenvalue near its own f (its memory cell, coupled to the
rest by O(1/√N)). With a spread of the forget gate's field (s_f > 0) the f of the N units fill
(0, 1) and max_i f_i → 1 as N → ∞: the fixed point's largest exponent at N = ∞ is then 0⁻
(marginal), although every finite network's is negative. :func:`fixed_point_exponent` returns
max(ln z_bulk, ln sup f).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from eoc.meanfield.lstm.parameters import Parameters
from eoc.meanfield.rate.gaussian import normal_rule

#: Trial values of C0 scanned for the smallest root of the static equation (h² ≤ 1 bounds C0).
_SCAN = np.concatenate([[0.0], np.geomspace(1e-8, 1.0, 25)])


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


#: Half-width in z of the normal rules (as in :mod:`eoc.meanfield.rate.gaussian`).
_Z_MAX = 8.6


class StaticFields:
    """The unit-wise fixed point on a quadrature rule over (z_f, z_i, z_c) and z_o.

    z_f, z_i, z_o: the trapezoidal normal rule with ``nodes`` points. z_c: for given (f, i),
    c* = K i tanh(μ_c + s_c z_c) with K = 1/(1 − f) = 1 + e^{a_f} varies on the scale
    w = 1/(K i s_c) around a_c = 0 — arbitrarily narrow for the units with f → 1 that dominate R(z)
    — so z_c = z_0 + w sinh(v) (z_0 = −μ_c/s_c), trapezoidal in v over z_c ∈ [−8.6, 8.6] with
    ``8·nodes`` points: resolution w at the centre, geometric spacing outwards. For s_c = 0 (zero
    state) ĉ = tanh μ_c exactly.
    """

    def __init__(self, params: Parameters, C0: float, nodes: int):
        z, w = normal_rule(nodes)
        std = np.sqrt(params.field_variance(C0))
        mu = params.mean_array
        f = sigmoid(mu[0] + std[0] * z)[:, None, None]
        i = sigmoid(mu[1] + std[1] * z)[None, :, None]
        with np.errstate(over="ignore"):
            K = 1.0 + np.exp(np.minimum(mu[0] + std[0] * z, 700.0))[:, None, None]
        scale = K * i  # c* = scale · ĉ
        if std[3] > 0:
            n = 8 * nodes
            z0 = float(np.clip(-mu[3] / std[3], -_Z_MAX, _Z_MAX))
            width = np.minimum(1.0, 1.0 / (scale * std[3]))
            low, high = np.arcsinh((-_Z_MAX - z0) / width), np.arcsinh((_Z_MAX - z0) / width)
            t = np.linspace(0.0, 1.0, n)[None, None, :]
            v = low + (high - low) * t
            z_c = z0 + width * np.sinh(v)
            trapezoid = np.full(n, 1.0 / (n - 1))
            trapezoid[[0, -1]] *= 0.5
            w_c = np.exp(-0.5 * z_c**2) / np.sqrt(2 * np.pi) * width * np.cosh(v) * (high - low) * trapezoid
            c_hat = np.tanh(mu[3] + std[3] * z_c)
        else:
            c_hat = np.full((1, 1, 1), np.tanh(mu[3]))
            w_c = np.ones((1, 1, 1))
        y = scale * c_hat
        self.weights = (w[:, None, None] * w[None, :, None]) * w_c
        self.f, self.i, self.c_hat, self.c = f, i, c_hat, y
        with np.errstate(over="ignore"):
            self.sech2 = 1.0 / np.cosh(np.minimum(np.abs(y), 700.0)) ** 2
        o = sigmoid(mu[2] + std[2] * z)
        self.o2 = o**2 @ w
        self.o_prime2 = (o * (1 - o)) ** 2 @ w
        self.f_spread = std[0]
        self.params = params

    def expect(self, values) -> float:
        return float(np.sum(values * self.weights))

    def tanh_square(self) -> float:
        """E[tanh² c*] = 1 − E[sech² c*]."""
        return 1.0 - self.expect(self.sech2)

    def mean_square_h(self) -> float:
        """E[h*²] = E[o²] E[tanh² c*]."""
        return self.o2 * self.tanh_square()

    def edge_function(self, z: float) -> float:
        """R(z) of the module docstring (z > sup f)."""
        sf, si, so, sc = self.params.gains
        f, i, c_hat, c = self.f, self.i, self.c_hat, self.c
        drive = self.sech2**2 * (
            sf**2 * (f * (1 - f)) ** 2 * c**2
            + si**2 * (i * (1 - i)) ** 2 * c_hat**2
            + sc**2 * i**2 * (1 - c_hat**2) ** 2
        )
        memory = self.expect(drive / (z - f) ** 2)
        return so**2 * self.o_prime2 * self.tanh_square() / z**2 + self.o2 * memory

    def forget_sup(self) -> float:
        """sup of f over units at N = ∞: 1 when the forget gate's static field has a spread."""
        return 1.0 if self.f_spread > 0 else float(sigmoid(self.params.means[0]))


def static_c_square(params: Parameters, C0: float, *, nodes: int) -> float:
    """E[c*²] of the static branch."""
    fields = StaticFields(params, C0, nodes)
    return fields.expect(np.where(fields.weights > 0, fields.c, 0.0) ** 2)


def static_solution(params: Parameters, *, nodes: int) -> float:
    """C0 of the static branch: the smallest root of C0 = E[h*²](C0) in [0, 1]."""

    def residual(C):
        return StaticFields(params, C, nodes).mean_square_h() - C

    if residual(0.0) <= 0.0:  # C0 = 0 solves it (F(0) = 0 exactly: zero state)
        return 0.0
    # scan upwards for the first sign change (F(1) < 1 always, so there is one)
    k = next(k for k in range(1, _SCAN.size) if residual(_SCAN[k]) < 0)
    return brentq(residual, _SCAN[k - 1], _SCAN[k], xtol=1e-14, rtol=1e-12)


def stability_parameter(params: Parameters, C0: float, *, nodes: int) -> float:
    """s = R(1) at the static solution C0: < 1 stable bulk, > 1 unstable (onset at s = 1)."""
    return StaticFields(params, C0, nodes).edge_function(1.0)


def fixed_point_exponent(params: Parameters, C0: float, *, nodes: int) -> float:
    """Largest exponent per step of the fixed point at N = ∞: ln max(z_bulk, sup f).

    z_bulk solves R(z) = 1 on z > sup f (R decreases there); where R(sup f⁺) ≤ 1 the bulk lies
    inside the unit memories' eigenvalues and sup f sets the exponent."""
    fields = StaticFields(params, C0, nodes)
    sup = fields.forget_sup()
    upper = sup + 1.0
    while fields.edge_function(upper) > 1.0:
        upper *= 2.0
    lower = sup + 1e-12
    if fields.edge_function(lower) <= 1.0:
        return float(np.log(sup))
    return float(np.log(brentq(lambda z: fields.edge_function(z) - 1.0, lower, upper, xtol=1e-15, rtol=1e-13)))


def onset_gain(sigma_b: float, *, gate_gains=None, bias_means=None, nodes: int, g_max: float = 20.0) -> float:
    """g_c(σ_b): the gain where the static branch loses stability (s = 1), by brentq in g.

    ``gate_gains`` fix some gates' gains (the others follow g). NaN if s < 1 up to ``g_max``."""

    def excess(g):
        params = Parameters.make(g, sigma_b, gate_gains=gate_gains, bias_means=bias_means)
        return stability_parameter(params, static_solution(params, nodes=nodes), nodes=nodes) - 1.0

    lower, upper = 0.05, 1.0
    while excess(upper) < 0:
        lower, upper = upper, upper * 1.5
        if upper > g_max:
            return float("nan")
    return brentq(excess, lower, upper, xtol=1e-9, rtol=1e-9)
