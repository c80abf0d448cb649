"""The static (fixed-point) solution of the DMFT, its stability, and the fixed-point boundary.

With C(τ) ≡ C0 the DMFT equation (docs/science.md §3.1) reduces to the draft's static equation

    C0 = f_g(C0),     f_g(C0) = (g²/4) E[φ(√C0 z)²] + 4σ_b²,

whose solution is C0_static (units of h², i.e. dimensionless). The random fixed point h* of the rate
model is a mean-zero Gaussian field of variance C0_static; its Jacobian −I/2 + (1/4) J diag(φ'(h*))
has a disk spectrum centred at −1/2 of radius (g/4)√E[φ'(√C0 z)²], so it is stable iff the
stability parameter

    s(g, σ_b) = (g²/4) E[φ'(√C0_static z)²]  <  1.

The fixed-point boundary g_c(σ_b) is the curve s = 1.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.optimize.elementwise import find_root

from eoc.meanfield.rate.gaussian import DEFAULT_NODES, mean
from eoc.meanfield.rate.nonlinearity import dphi, phi

_TOLERANCES = {"xatol": 0.0, "xrtol": 4e-15}
_SMALLEST_VARIANCE = 1e-200


def _phi_squared(h):
    return phi(h) ** 2


def _dphi_squared(h):
    return dphi(h) ** 2


def static_map(C0, g, sigma_b, *, nodes: int = DEFAULT_NODES):
    """The draft's f_g(C0) = (g²/4) E[φ(√C0 z)²] + 4σ_b² (arrays broadcast)."""
    g = np.asarray(g, float)
    return 0.25 * g**2 * mean(_phi_squared, C0, nodes=nodes) + 4.0 * np.asarray(sigma_b, float) ** 2


def _static_residual(C0, g, sigma_b, *, nodes):
    """(C0 − f_g(C0)) / C0, written with E[(φ(√C0 z)/√C0)²] so that it stays accurate as C0 → 0.

    C0 − f_g(C0) is convex in C0 (f_g is concave), negative at C0 = 4σ_b² and positive at
    C0 = g²/4 + 4σ_b², so this residual has exactly one sign change on that bracket."""
    scaled = mean(_phi_squared, C0, nodes=nodes) / C0
    return 1.0 - 0.25 * g**2 * scaled - 4.0 * sigma_b**2 / C0


def static_variance(g, sigma_b, *, nodes: int):
    """C0_static(g, σ_b), the largest root of C0 = f_g(C0), vectorised over broadcast arrays.

    For σ_b = 0 and g ≤ 2 the only root is C0 = 0; for σ_b = 0 and g > 2 the non-zero root is
    returned (the zero state is then an unstable fixed point). Returns ``(C0_static, converged)``.
    """
    g, sigma_b = np.broadcast_arrays(np.asarray(g, float), np.asarray(sigma_b, float))
    C0 = np.zeros(g.shape)
    converged = np.ones(g.shape, bool)
    active = (sigma_b > 0) | (g > 2)
    if active.any():
        ga, sa = g[active], sigma_b[active]
        lower = np.maximum(4.0 * sa**2, _SMALLEST_VARIANCE)
        upper = 0.25 * ga**2 + 4.0 * sa**2
        residual = functools.partial(_static_residual, nodes=nodes)
        result = find_root(residual, (lower, upper), args=(ga, sa), tolerances=_TOLERANCES)
        C0[active] = np.where(result.success, result.x, np.nan)
        converged[active] = result.success
    return C0, converged


def stability_parameter(g, C0, *, nodes: int):
    """s = (g²/4) E[φ'(√C0 z)²]: the squared spectral radius of the fixed point's Jacobian
    (shifted by +1/2) in units of 1/4. The fixed point of variance C0 is stable iff s < 1."""
    return 0.25 * np.asarray(g, float) ** 2 * mean(_dphi_squared, C0, nodes=nodes)


def _boundary_residual(C0, sigma_b, *, nodes):
    """C0 − E[φ²]/E[φ'²] − 4σ_b²: zero where C0 is static (f_g(C0) = C0) at the gain
    g² = 4/E[φ'²] that makes it marginally stable (s = 1)."""
    ratio = mean(_phi_squared, C0, nodes=nodes) / mean(_dphi_squared, C0, nodes=nodes)
    return C0 - ratio - 4.0 * sigma_b**2


def fixed_point_boundary(sigma_b, *, nodes: int = DEFAULT_NODES):
    """The fixed-point boundary g_c(σ_b): the fixed point is stable for g < g_c and unstable above.

    Parametrised by the static variance on the boundary: C0 solves C0 − E[φ²]/E[φ'²] = 4σ_b²
    (monotone in C0, root in [4σ_b², (2σ_b + 3)²]) and g_c = 2/√E[φ'(√C0 z)²]; g_c(0) = 2.
    Returns an array shaped like ``sigma_b``; NaN where the root was not bracketed.
    """
    sigma_b = np.asarray(sigma_b, float)
    C0 = np.zeros(sigma_b.shape)
    biased = sigma_b > 0
    if biased.any():
        s = sigma_b[biased]
        bracket = (4.0 * s**2, (2.0 * s + 3.0) ** 2)
        residual = functools.partial(_boundary_residual, nodes=nodes)
        result = find_root(residual, bracket, args=(s,), tolerances=_TOLERANCES)
        C0[biased] = np.where(result.success, result.x, np.nan)
    return 2.0 / np.sqrt(mean(_dphi_squared, C0, nodes=nodes))
