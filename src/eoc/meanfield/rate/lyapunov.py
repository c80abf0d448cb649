"""The maximal Lyapunov exponent of the rate model from DMFT (Crisanti & Sompolinsky 2018).

The tangent dynamics gives, with D(t, s) = e^{λ(t+s)} ψ(t − s), the Schrödinger problem

    [−∂τ² − (g²/16) C_φ'(τ)] ψ = −(λ + 1/2)² ψ,      C_φ'(τ) = E[φ'(h(t)) φ'(h(t+τ))],

and λ_max = −1/2 + √(−E0) with E0 the ground-state energy (units: 1/t for λ, 1/t² for E).
Along the chaotic solution (g²/16) C_φ'(τ) = 1/4 − λ²(C(τ)), so the potential is
U(τ) = λ²(C(τ)) − 1/4, which tends to λ²(C∞) − 1/4 (the continuum edge) as |τ| → ∞. Hence

    λ_max ≥ −1/2 + √(1/4 − λ²),

the continuum bound. Built-in check: ψ ∝ C'(τ) (the time-translation mode) is the first odd
eigenstate with E = −1/4 exactly, i.e. a zero exponent; E1 + 1/4 measures the accuracy.

In the fixed-point regime C_φ' = E[φ'(√C0 z)²] is constant and λ_max = −1/2 + (g/4)√E[φ'²], which
is the stability criterion of the fixed point and equals the continuum bound.

Discretisation: second-order finite differences on the symmetric grid τ_j = j h, |τ_j| < L, with
ψ(±L) = 0, solved by ``scipy.linalg.eigh_tridiagonal``; the two lowest levels at h and 2h are
Richardson-extrapolated (error O(h⁴)).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import eigh_tridiagonal

from eoc.meanfield.rate.curve import CorrelationCurve
from eoc.meanfield.rate.gaussian import mean
from eoc.meanfield.rate.nonlinearity import dphi


def _lowest_levels(potential: np.ndarray, step: float) -> np.ndarray:
    """The two lowest eigenvalues of −∂² + U on a grid of spacing ``step`` (Dirichlet walls)."""
    diagonal = 2.0 / step**2 + potential
    off_diagonal = np.full(potential.size - 1, -1.0 / step**2)
    return eigh_tridiagonal(diagonal, off_diagonal, eigvals_only=True, select="i", select_range=(0, 1))


def schrodinger_levels(potential, *, box: float, step: float) -> np.ndarray:
    """Ground and first excited energies (E0, E1) of −∂τ² + U(τ) on (−box, box), ψ(±box) = 0.

    ``potential`` is a vectorised callable U(τ). Richardson extrapolation of the levels at ``step``
    and ``2 step``."""
    half = 2 * int(np.ceil(box / (2 * step)))  # even, so that the coarse grid is a subgrid
    tau = step * np.arange(-half + 1, half)
    U = potential(tau)
    fine = _lowest_levels(U, step)
    coarse = _lowest_levels(U[1::2], 2 * step)
    return (4.0 * fine - coarse) / 3.0


def lyapunov_chaotic(curve: CorrelationCurve, *, box: float, step: float) -> tuple[float, float]:
    """(λ_max, E1 + 1/4) of a chaotic solution: the exponent and the odd-mode accuracy check."""
    E0, E1 = schrodinger_levels(lambda tau: curve.decay_rate_squared(curve(tau)) - 0.25, box=box, step=step)
    return -0.5 + np.sqrt(-E0), E1 + 0.25


def lyapunov_fixed_point(g, C0, *, nodes: int):
    """λ_max = −1/2 + (g/4) √E[φ'(√C0 z)²] at the fixed point of variance C0 (arrays broadcast)."""
    return -0.5 + 0.25 * np.asarray(g, float) * np.sqrt(mean(lambda h: dphi(h) ** 2, C0, nodes=nodes))


def continuum_bound(lambda2):
    """The continuum bound −1/2 + √(1/4 − λ²) on λ_max (NaN where λ² > 1/4 is impossible)."""
    return -0.5 + np.sqrt(0.25 - np.asarray(lambda2, float))
