"""The LSTM's fixed point with gate biases and its linear stability at N = ∞ (docs/lstm-stability.md).

Model (docs/science.md §1.1): a_x = g_x (U_x h) + b_x for the gates x = f, i, o, c, U_x iid N(0, 1/N),
b_x iid N(μ_x, σ_b²); c' = f c + i ĉ, h' = o tanh(c'). Gains g_x = g·r_x (r_x = 1 by default).

**Fixed point.** Per unit, c* = i ĉ/(1 − f) = i ĉ (1 + e^{a_f}) and h* = o tanh(c*). At N = ∞ the
field (U_x h*)_j of a non-symmetric iid network is Gaussian with variance q = ⟨h*²⟩ and no reaction
term (the static cavity argument of Sompolinsky–Crisanti–Sommers), independent across gates, so the
pre-activations are independent Gaussians a_x = μ_x + s_x z_x with s_x² = g_x² q + σ_b², and

    q = G(q) = E[σ(a_o)²] · E[tanh²(c*)].                                              (1)

For σ_b = 0 and μ_c = 0, q = 0 (the zero state). The fixed point the criterion is about is the
smallest root of (1): the branch continued from g = 0 (at g = 0, (1) has one root). Other roots are
returned by :func:`fixed_point_variances` with their own stability.

**Spectrum of the Jacobian.** With the Schur complement in the spectral parameter z, the non-zero
spectrum of the 2N × 2N Jacobian is the set of z with det(z − M(z)) = 0,
M(z) = Σ_x diag(w_x(z)) U_x, and by hermitisation (Girko; Feinberg–Zee; for a normal deterministic
part plus a circular matrix, Biane–Lehner / Haagerup–Larsen; for this block form Ahmadian, Fumarola,
Miller PRE 91, 012820 (2015)) its support at N = ∞ is {z : Φ(z) ≥ 1} with

    Φ(z) = E[ A² / |z − f|² ] + E[B²] / |z|²,                                         (2)
    A² = (o S)² [ g_f² (c* f(1−f))² + g_i² (ĉ i(1−i))² + g_c² (i(1−ĉ²))² ],
    B² = g_o² (tanh(c*) o(1−o))²,        S = 1 − tanh²(c*).

Φ decreases outward along rays for |z| ≥ 1, and on the unit circle it is largest at z = 1, so the
fixed point is linearly stable iff the **stability parameter**

    Λ = Φ(1) = E[A² (1 + e^{a_f})²] + E[B²]  <  1.                                     (3)

Check: σ_b = 0, μ = 0 gives q = 0, f = i = o = 1/2, Φ(z) = (g_c/4)² / |z − 1/2|², the disk of
radius g_c/4 about 1/2 (docs/science.md §2), and Λ = g_c²/4. All quantities are dimensionless (h, c and
the gate values are numbers; time is counted in steps).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit

from eoc.errors import InputError
from eoc.meanfield.rate.gaussian import _HALF_WIDTH, normal_rule

GATES = ("f", "i", "o", "c")
DEFAULT_NODES = 33
"""Points of the trapezoidal rule in z_f, z_i and z_o (eoc.meanfield.rate.gaussian.normal_rule)."""
DEFAULT_CELL_NODES = 161
"""Points of the sinh-mapped rule in z_c (FixedPointTheory._cell_rule)."""
CELL_RESOLUTION = 2e-3
"""α of the sinh map: node spacing at the spike is α·asinh(8.6/α)·2/(n_c − 1) ≈ 2e-4."""
SCAN_POINTS = 32
"""q values scanned on (0, 1] for sign changes of G(q)/q − 1 before each root is refined."""


def _sigmoid(x):
    """σ(x) = 1/(1 + e^{−x}) with full relative precision also where it is tiny (1 − f = σ(−a_f))."""
    return expit(x)


def _per_gate(values, name: str, default: float) -> np.ndarray:
    """A dict {gate: value} (missing gates take ``default``) as an array in the order f, i, o, c."""
    values = dict(values or {})
    unknown = set(values) - set(GATES)
    if unknown:
        raise InputError(f"{name}: unknown gate(s) {sorted(unknown)}; the gates are {', '.join(GATES)}")
    out = np.array([float(values.get(x, default)) for x in GATES])
    if not np.all(np.isfinite(out)):
        raise InputError(f"{name} must be finite, got {values}")
    return out


class FixedPointTheory:
    """Equations (1)–(3) for fixed bias means μ_x and gain ratios r_x (g_x = g r_x).

    Methods take ``g``, ``sigma_b`` (and ``q``) as arrays that broadcast together."""

    def __init__(
        self, bias_means=None, gain_ratios=None, *, nodes: int = DEFAULT_NODES, cell_nodes: int = DEFAULT_CELL_NODES
    ) -> None:
        self.mu = _per_gate(bias_means, "bias means", 0.0)
        self.ratios = _per_gate(gain_ratios, "gain ratios", 1.0)
        if np.any(self.ratios < 0):
            raise InputError(f"gain ratios must be non-negative, got {dict(zip(GATES, self.ratios, strict=True))}")
        self.nodes = int(nodes)
        self.cell_nodes = int(cell_nodes)
        self._z, self._w = normal_rule(self.nodes)
        # the cell-input rule: u uniform, z_c = z0 + α sinh(u) (see _cell_rule)
        self._u = np.linspace(-1.0, 1.0, self.cell_nodes)

    # -- the per-unit fixed point, at quadrature nodes -------------------------------------------
    def _scales(self, g, sigma_b, q):
        """s_x = √(g_x² q + σ_b²) for x = f, i, o, c, shape (4, M) for flat (M,) inputs."""
        gx = self.ratios[:, None] * g[None, :]
        return np.sqrt(gx**2 * q[None, :] + sigma_b[None, :] ** 2)

    def _cell_rule(self, s_c):
        """Nodes z_c (M, n_c) and weights (M, n_c) for E over z_c ~ N(0, 1), clustered at a_c = 0.

        Where the forget gate is near 1, c* = i ĉ/(1 − f) is large and S = 1 − tanh²c* is a spike
        of width ~ (1 − f)/s_c in z_c at ĉ = 0 (z0 = −μ_c/s_c); the equispaced rule misses it. The
        map z_c = z0 + α sinh(U u), u ∈ [−1, 1] equispaced, puts nodes α U h apart at the spike
        and ~|z| U h apart in the tails (trapezoidal in u: geometric convergence), α = CELL_RESOLUTION."""
        z0 = np.clip(-self.mu[3] / np.where(s_c > 0, s_c, np.inf), -_HALF_WIDTH, _HALF_WIDTH)
        reach = np.arcsinh((_HALF_WIDTH + np.abs(z0)) / CELL_RESOLUTION)
        z = z0[:, None] + CELL_RESOLUTION * np.sinh(reach[:, None] * self._u[None, :])
        w = np.exp(-0.5 * z**2) * np.cosh(reach[:, None] * self._u[None, :])
        w /= w.sum(axis=1, keepdims=True)
        return z, w

    def _units(self, s):
        """f, i, ĉ, c*, tanh c* on the 3-D rule over (z_f, z_i, z_c), arrays broadcasting to
        (M, n, n, n_c), and the rule's weights (M, n, n, n_c)."""
        z_c, w_c = self._cell_rule(s[3])
        a_f = self.mu[0] + s[0][:, None, None, None] * self._z[None, :, None, None]
        a_i = self.mu[1] + s[1][:, None, None, None] * self._z[None, None, :, None]
        a_c = self.mu[3] + s[3][:, None, None, None] * z_c[:, None, None, :]
        f, i, c_hat = _sigmoid(a_f), _sigmoid(a_i), np.tanh(a_c)
        with np.errstate(over="ignore"):
            c = i * c_hat * (1.0 + np.exp(a_f))  # i ĉ / (1 − f)
        weights = self._w[None, :, None, None] * self._w[None, None, :, None] * w_c[:, None, None, :]
        return f, _sigmoid(-a_f), i, c_hat, c, np.tanh(c), weights

    @staticmethod
    def _mean(values, weights):
        return (values * weights).sum(axis=(1, 2, 3))

    def _output_gate(self, s):
        """E[o²] and E[(o(1−o))²], shape (M,)."""
        o = _sigmoid(self.mu[2] + s[2][:, None] * self._z[None, :])
        return (o**2) @ self._w, (o * (1 - o)) ** 2 @ self._w

    def _blocks(self, function, *arrays, block: int = 8):
        arrays = np.broadcast_arrays(*(np.asarray(a, float) for a in arrays))
        shape = arrays[0].shape
        arrays = [a.reshape(-1) for a in arrays]
        results = [function(*(a[k : k + block] for a in arrays)) for k in range(0, arrays[0].size, block)]
        return tuple(np.concatenate(r).reshape(shape) for r in zip(*results, strict=True)) if results else ()

    def _map(self, g, sigma_b, q):
        s = self._scales(g, sigma_b, q)
        *_, tanh_c, weights = self._units(s)
        o2, _ = self._output_gate(s)
        return (o2 * self._mean(tanh_c**2, weights),)

    def variance_map(self, g, sigma_b, q) -> np.ndarray:
        """G(q) = E[σ(a_o)²] E[tanh²(c*)] of equation (1)."""
        return self._blocks(self._map, g, sigma_b, q)[0]

    def _phi_parts(self, g, sigma_b, q, z):
        """E[A²/|z − f|²] and E[B²] for complex z (flat inputs)."""
        s = self._scales(g, sigma_b, q)
        f, one_minus_f, i, c_hat, c, tanh_c, weights = self._units(s)
        o2, oo = self._output_gate(s)
        gf, gi, go, gc = (self.ratios[:, None] * g[None, :])[:, :, None, None, None]
        S = 1 - tanh_c**2
        A2 = S**2 * ((gf * c * f * (1 - f)) ** 2 + (gi * c_hat * i * (1 - i)) ** 2 + (gc * i * (1 - c_hat**2)) ** 2)
        # z − f = (z − 1) + (1 − f), with 1 − f = σ(−a_f) exact where f rounds to 1
        with np.errstate(divide="ignore"):
            resolvent = 1.0 / np.abs((z[:, None, None, None] - 1.0) + one_minus_f) ** 2
        A_term = o2 * self._mean(A2 * resolvent, weights)
        B_term = go[:, 0, 0, 0] ** 2 * oo * self._mean(tanh_c**2, weights)
        return A_term, B_term

    def phi(self, z, g, sigma_b, q) -> np.ndarray:
        """Φ(z) of equation (2): the spectrum's support at N = ∞ is Φ ≥ 1."""
        z, g, sigma_b, q = np.broadcast_arrays(np.asarray(z, complex), *(np.asarray(a, float) for a in (g, sigma_b, q)))
        shape = z.shape

        def parts(zz, gg, ss, qq):
            A, B = self._phi_parts(gg.real, ss.real, qq.real, zz)
            return (A + B / np.abs(zz) ** 2,)

        flat = [a.reshape(-1) for a in (z, g, sigma_b, q)]
        out = [parts(*(a[k : k + 8] for a in flat))[0] for k in range(0, flat[0].size, 8)]
        return np.concatenate(out).reshape(shape) if out else np.empty(shape)

    def stability(self, g, sigma_b, q) -> np.ndarray:
        """Λ = Φ(1), equation (3): the fixed point of variance q is linearly stable iff Λ < 1."""
        return self.phi(1.0, g, sigma_b, q)

    # -- roots of equation (1) ---------------------------------------------------------------------
    def fixed_point_variances(self, g: float, sigma_b: float, *, scan: int = SCAN_POINTS) -> np.ndarray:
        """All roots q of equation (1) found by a scan of G(q)/q − 1 on (0, 1] and Brent refinement
        (ascending; q = 0 included when it is a root, i.e. σ_b = 0 and μ_c = 0)."""
        g, sigma_b = float(g), float(sigma_b)
        roots = []
        if self.variance_map(g, sigma_b, 0.0) == 0.0:
            roots.append(0.0)
        qs = np.geomspace(1e-8, 1.0, scan)
        residual = self.variance_map(g, sigma_b, qs) / qs - 1.0
        for k in np.flatnonzero(np.sign(residual[:-1]) * np.sign(residual[1:]) < 0):
            roots.append(
                brentq(lambda q: self.variance_map(g, sigma_b, q) / q - 1.0, qs[k], qs[k + 1], xtol=1e-14, rtol=1e-12)
            )
        return np.array(roots)

    def fixed_point_variance(self, g, sigma_b) -> np.ndarray:
        """q of the fixed point the criterion is about: the smallest root of (1), vectorised."""
        g, sigma_b = np.broadcast_arrays(np.asarray(g, float), np.asarray(sigma_b, float))
        out = np.array([self.fixed_point_variances(a, b)[0] for a, b in zip(g.ravel(), sigma_b.ravel(), strict=True)])
        return out.reshape(g.shape)

    def stability_at(self, g, sigma_b) -> np.ndarray:
        """Λ on the smallest-q branch, vectorised over (g, σ_b)."""
        return self.stability(g, sigma_b, self.fixed_point_variance(g, sigma_b))

    def critical_gain(self, sigma_b, *, g_max: float = 8.0, g_min: float = 1e-3, grid: int = 9) -> np.ndarray:
        """g_c(σ_b): the smallest gain where Λ = 1 on the smallest-q branch (NaN if Λ < 1 on all of
        the ``grid`` gains of [g_min, g_max]; g_min if the fixed point is already unstable there).
        The first sign change on the grid is refined by Brent's method."""
        sigma_b = np.asarray(sigma_b, float)
        out = np.empty(sigma_b.shape)
        gains = np.linspace(g_min, g_max, grid)
        for index, sb in np.ndenumerate(sigma_b):
            excess = self.stability_at(gains, sb) - 1.0
            crossing = np.flatnonzero(excess > 0)
            if crossing.size == 0:
                out[index] = np.nan
            elif crossing[0] == 0:
                out[index] = g_min
            else:
                k = crossing[0]
                out[index] = brentq(lambda g, sb=sb: self.stability_at(g, sb) - 1.0, gains[k - 1], gains[k], xtol=1e-8)
        return out

    # -- the edge of the spectrum --------------------------------------------------------------------
    def spectral_edge(self, theta, g: float, sigma_b: float, q: float | None = None, *, scan: int = 48) -> np.ndarray:
        """r(θ): the outermost radius with Φ(r e^{iθ}) = 1 along each ray θ (radians), i.e. the
        boundary of the spectrum's support at N = ∞ (NaN where the ray misses it).

        Along θ = 0 only r above f_sup, the largest forget-gate value, is searched: the segment
        [ess inf f, f_sup] that the forget gates fill is in the support (Φ = ∞ there). f_sup =
        σ(μ_f) when the forget gate's pre-activation has no spread (σ_b = 0, q = 0), else 1: then
        r(0) is NaN for Λ < 1 and the root above 1 for Λ > 1. Near θ = 0 the support has a thin
        spike along that segment which the quadrature resolves only roughly."""
        q = self.fixed_point_variance(g, sigma_b) if q is None else float(q)
        theta = np.atleast_1d(np.asarray(theta, float))
        A1, B1 = self._phi_parts(np.array([g]), np.array([sigma_b]), np.array([q]), np.array([1.0 + 0j]))
        # |z − f| ≥ |z| − 1 ≥ |z|/2 for |z| ≥ 2, so Φ ≤ 4(E[A²/(1−f)²] + E[B²])/|z|² < 1 beyond r_max
        r_max = 2.0 + 2.0 * np.sqrt(float(A1[0] + B1[0]))
        s_f = self._scales(np.array([g]), np.array([sigma_b]), np.array([q]))[0, 0]
        f_sup = _sigmoid(self.mu[0]) if s_f == 0 else 1.0
        out = np.full(theta.shape, np.nan)
        for n, t in enumerate(theta):
            lowest = f_sup if t == 0 else 0.0  # geometric spacing: dense near the lower end
            radii = lowest + (r_max - lowest) * np.geomspace(1.0, 1e-6, scan)
            values = self.phi(radii * np.exp(1j * t), g, sigma_b, q) - 1.0
            inside = np.flatnonzero(values >= 0)
            if inside.size == 0:
                continue
            k = inside[0]
            if k == 0:
                raise ValueError(f"Φ ≥ 1 at r = {r_max}: the bound on the support failed")
            out[n] = brentq(
                lambda r, t=t: float(self.phi(r * np.exp(1j * t), g, sigma_b, q)) - 1.0,
                radii[k],
                radii[k - 1],
                xtol=1e-10,
            )
        return out
