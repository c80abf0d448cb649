"""The shape of the chaotic autocorrelation C(τ) from energy conservation, by quadrature.

With the particle's energy conserved, τ(C) = ∫_C^{C0} dC' / √(2 ΔV(C')), ΔV(C') = V(C0) − V(C').
The integrand has an integrable 1/√ singularity at C0 (ΔV ≈ V'(C0)(C0 − C')) and a 1/(λ δ) tail near
C∞ (ΔV ≈ λ²δ²/2, δ = C' − C∞), where τ diverges logarithmically. Both are removed by the substitution

    C'(t) = C∞ + D sech t,   D = C0 − C∞,   t ∈ [0, ∞),

after which dτ/dt = D sech t tanh t / √(2 ΔV) is smooth, equals √(D / V'(C0)) at t = 0 and tends to
1/λ as t → ∞. τ(t) is integrated panel by panel with Gauss–Legendre and inverted with a cubic Hermite
interpolant that uses the exact slopes dt/dτ; then C(τ) = C∞ + D sech t(τ).

ΔV is built without cancellation from λ²(C) = −V''(C) = 1/4 − (g²/16) E[φ'(u)φ'(v)], interpolated
on [C∞, C0] by a Chebyshev series p (it is analytic there):

    lower half (C' near C∞):  ΔV = ∫_{C∞}^{C'} (C' − r) p(r) dr           (uses V'(C∞) = 0),
    upper half (C' near C0):  ΔV = V'(C0)(C0 − C') + ∫_{C'}^{C0} (r − C') p(r) dr,

with V'(C0) = −∫_{C∞}^{C0} p. The two agree up to V(C∞) − V(C0) = ∫(C0 − r) p(r) dr, the residual of
the energy condition, which is kept as a diagnostic (``energy_residual``). For δ < 10⁻³ D the lower
form is evaluated by its Taylor series at C∞ (it vanishes quadratically there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.polynomial import Chebyshev
from numpy.polynomial.legendre import leggauss
from scipy.interpolate import CubicHermiteSpline

from eoc.meanfield.rate.gaussian import pair_mean
from eoc.meanfield.rate.nonlinearity import dphi

_PANEL = 0.025  # width of a Gauss–Legendre panel in t
_PANEL_NODES = 8
_TAYLOR_BELOW = 1e-3  # relative δ / D below which ΔV is evaluated by its Taylor series at C∞
_TAYLOR_ORDER = 7


class CurveError(ArithmeticError):
    """The potential of the chaotic solution is not a valid separatrix (e.g. ΔV ≤ 0 inside)."""


@dataclass(frozen=True)
class CorrelationCurve:
    """C(τ) of one chaotic solution. ``decay_rate_squared(C)`` is the interpolant p(C) of λ²(C)."""

    C0: float
    C_inf: float
    decay_rate_squared: Chebyshev
    energy_residual: float
    _t_of_tau: CubicHermiteSpline

    def __call__(self, tau):
        """C(τ), even in τ."""
        t = self._t_of_tau(np.abs(np.asarray(tau, float)))
        return self.C_inf + (self.C0 - self.C_inf) / np.cosh(t)


def correlation_curve(
    g: float,
    sigma_b: float,
    C0: float,
    C_inf: float,
    *,
    tau_extent: float,
    nodes: int,
    inner_nodes: int,
    degree: int = 48,
) -> CorrelationCurve:
    """Solve for C(τ) on |τ| ≤ ``tau_extent`` for the chaotic solution (C0, C∞) at (g, σ_b).

    Raises :class:`CurveError` where the solution does not define a separatrix."""
    D = C0 - C_inf
    if not D > 0:
        raise CurveError(f"C0 - C_inf = {D!r} is not positive")

    def lambda2(C):
        return 0.25 - g**2 / 16 * pair_mean(dphi, C, C0, nodes=nodes, inner_nodes=inner_nodes)

    p = Chebyshev.interpolate(lambda2, degree, domain=[C_inf, C0])
    force_top = -p.integ(1, lbnd=C_inf)(C0)  # V'(C0)
    lower = p.integ(2, lbnd=C_inf)
    upper = p.integ(2, lbnd=C0)
    taylor = np.array([lower.deriv(k)(C_inf) / np.prod(np.arange(1, k + 1)) for k in range(2, _TAYLOR_ORDER)])
    if not (force_top > 0 and taylor[0] > 0):
        raise CurveError(f"no separatrix: V'(C0) = {force_top:.3g}, lambda2(C_inf) = {2 * taylor[0]:.3g}")

    def potential_drop(delta, epsilon):
        """ΔV at C' = C∞ + δ = C0 − ε."""
        series = np.polynomial.polynomial.polyval(delta, np.concatenate([[0.0, 0.0], taylor]))
        near_bottom = np.where(delta < _TAYLOR_BELOW * D, series, lower(C_inf + delta))
        near_top = force_top * epsilon + upper(C0 - epsilon)
        return np.where(delta < 0.5 * D, near_bottom, near_top)

    def dtau_dt(t):
        sech = 1.0 / np.cosh(t)
        delta = D * sech
        epsilon = 2.0 * D * np.sinh(0.5 * t) ** 2 * sech
        drop = potential_drop(delta, epsilon)
        if np.any(drop <= 0):
            raise CurveError("the potential drop V(C0) - V(C) is not positive inside (C_inf, C0)")
        return D * sech * np.tanh(t) / np.sqrt(2.0 * drop)

    rate = np.sqrt(taylor[0] * 2.0)  # λ at C∞
    x, w = leggauss(_PANEL_NODES)
    edges = np.array([0.0])
    taus = np.array([0.0])
    target = rate * tau_extent + 2.0
    while taus[-1] < tau_extent:
        new = edges[-1] + _PANEL * np.arange(1, int(np.ceil((target - edges[-1]) / _PANEL)) + 1)
        left = np.concatenate([[edges[-1]], new[:-1]])
        t_nodes = left[:, None] + 0.5 * _PANEL * (x + 1.0)
        increments = 0.5 * _PANEL * dtau_dt(t_nodes) @ w
        taus = np.concatenate([taus, taus[-1] + np.cumsum(increments)])
        edges = np.concatenate([edges, new])
        target = edges[-1] + rate * (tau_extent - taus[-1]) + 1.0
    slopes = np.empty_like(edges)
    slopes[0] = np.sqrt(force_top / D)
    slopes[1:] = 1.0 / dtau_dt(edges[1:])
    return CorrelationCurve(
        C0=C0,
        C_inf=C_inf,
        decay_rate_squared=p,
        energy_residual=float(lower(C0)),
        _t_of_tau=CubicHermiteSpline(taus, edges, slopes, extrapolate=False),
    )
