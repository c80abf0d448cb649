"""The time-dependent (chaotic) DMFT solution by energy conservation, and the decay rate λ².

The stationary DMFT equation (science.md §3) is Newton's law C'' = −∂V/∂C for a particle with the
potential

    V(C; C0) = −C²/8 + (g²/16) E[Φ(u) Φ(v)] + σ_b² C,      (u, v) of variances C0, covariance C,

so that (Price's theorem) V' = −C/4 + (g²/16) Q(C, C0) + σ_b² and V'' = −1/4 + (g²/16) E[φ'(u)φ'(v)].
The chaotic solution starts at rest at C0 and creeps to C∞ in infinite time:

    V'(C∞; C0) = 0,      V(C0; C0) = V(C∞; C0).

V' is convex on [0, C0] (V''' = (g²/16) E[φ''φ''] ≥ 0), V'(0) = σ_b² ≥ 0 and V'(C0) > 0 for
C0 < C0_static. So C∞ is the smaller root of V', found by Newton's method from C = 0, whose iterates
rise monotonically to it (convex, decreasing function); if V'' turns non-negative first, V' has no
root and the energy balance V(C0) − V(0) > 0. The energy balance is positive at C0 = 4σ_b² and
negative at C0_static where the static solution is unstable, which brackets C0.

For σ_b = 0, C∞ = 0 and the energy balance is C0² = (g²/2) Var[Φ(√C0 z)] (SCS in rate-model units).

The decay rate of correlations (the draft's eq. 10, with its missing square restored): linearising
around C∞, δC'' = λ² δC with λ² = −V''(C∞) = 1/4 − (g²/16) E[φ'(u)φ'(v)] at covariance C∞ ≥ 0.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.optimize.elementwise import find_root

from eoc.dmft.gaussian import mean, pair_mean
from eoc.dmft.nonlinearity import dphi, log_cosh

_SMALLEST_VARIANCE = 1e-100  # its square is still a normal float


def _phi_and_dphi(h):
    t = np.tanh(h)
    return np.stack([t, 1.0 - t * t])


def _smaller_root_of_force(C0, g, sigma_b, *, nodes, inner_nodes, maxiter):
    """Newton iteration from C = 0 for the smaller root of V'(C; C0) (see the module docstring).

    Returns ``(C, found, converged)``: ``found`` is False where V' has no root on [0, C0]."""
    C = np.zeros(C0.shape)
    found = np.ones(C0.shape, bool)
    converged = np.zeros(C0.shape, bool)
    for _ in range(maxiter):
        todo = found & ~converged
        if not todo.any():
            break
        Q, K = pair_mean(_phi_and_dphi, C[todo], C0[todo], nodes=nodes, inner_nodes=inner_nodes)
        force = -0.25 * C[todo] + g[todo] ** 2 / 16 * Q + sigma_b[todo] ** 2
        curvature = -0.25 + g[todo] ** 2 / 16 * K
        descending = curvature < 0
        step = np.where(descending, -force / np.where(descending, curvature, -1.0), 0.0)
        update = np.minimum(C[todo] + step, C0[todo])
        idx = np.flatnonzero(todo)
        found[idx[~descending & (force > 0)]] = False
        converged[idx] = descending & (np.abs(step) <= 1e-14 * C0[todo])
        converged[idx[force <= 0]] = True
        C[idx] = np.where(force > 0, update, C[idx])
    return C, found, converged | ~found


def energy_balance(C0, g, sigma_b, *, nodes, inner_nodes, maxiter=60):
    """V(C0; C0) − V(C∞(C0); C0), positive where V' has no root (module docstring)."""
    C, found, _ = _smaller_root_of_force(C0, g, sigma_b, nodes=nodes, inner_nodes=inner_nodes, maxiter=maxiter)
    C = np.where(found, C, 0.0)
    both = pair_mean(log_cosh, np.stack([C0, C]), C0, nodes=nodes, inner_nodes=inner_nodes)
    return -(C0**2 - C**2) / 8 + g**2 / 16 * (both[0] - both[1]) + sigma_b**2 * (C0 - C)


def _scaled_energy_unbiased(C0, g, *, nodes):
    """(V(C0) − V(0)) / C0² at σ_b = 0: −1/8 + (g²/16) Var[Φ(√C0 z)/C0], accurate as C0 → 0."""
    first = mean(log_cosh, C0, nodes=nodes) / C0
    second = mean(lambda h: log_cosh(h) ** 2, C0, nodes=nodes) / C0**2
    return -0.125 + g**2 / 16 * (second - first**2)


def chaotic_solution(g, sigma_b, C0_static, *, nodes: int, inner_nodes: int, maxiter: int = 60):
    """C0 and C∞ of the chaotic solution for arrays of (g, σ_b) where the static solution (variance
    ``C0_static``) is unstable. Returns ``(C0, C_inf, converged)``; unconverged entries are NaN."""
    g, sigma_b, C0_static = (np.asarray(a, float) for a in np.broadcast_arrays(g, sigma_b, C0_static))
    C0 = np.full(g.shape, np.nan)
    C_inf = np.full(g.shape, np.nan)
    tolerances = {"xatol": 0.0, "xrtol": 1e-13}
    unbiased = sigma_b == 0
    if unbiased.any():
        residual = functools.partial(_scaled_energy_unbiased, nodes=nodes)
        lower = np.full(unbiased.sum(), _SMALLEST_VARIANCE)
        result = find_root(residual, (lower, C0_static[unbiased]), args=(g[unbiased],),
                           tolerances=tolerances, maxiter=maxiter)
        C0[unbiased] = np.where(result.success, result.x, np.nan)
        C_inf[unbiased] = np.where(result.success, 0.0, np.nan)
    biased = ~unbiased
    if biased.any():
        residual = functools.partial(energy_balance, nodes=nodes, inner_nodes=inner_nodes, maxiter=maxiter)
        gb, sb = g[biased], sigma_b[biased]
        result = find_root(residual, (4.0 * sb**2, C0_static[biased]), args=(gb, sb),
                           tolerances=tolerances, maxiter=maxiter)
        roots = np.where(result.success, result.x, np.nan)
        C, found, converged = _smaller_root_of_force(
            np.nan_to_num(roots), gb, sb, nodes=nodes, inner_nodes=inner_nodes, maxiter=maxiter
        )
        ok = result.success & found & converged
        C0[biased] = np.where(ok, roots, np.nan)
        C_inf[biased] = np.where(ok, C, np.nan)
    return C0, C_inf, np.isfinite(C0)


def decay_rate_squared(g, C_inf, C0, *, nodes: int, inner_nodes: int):
    """λ² = 1/4 − (g²/16) E[φ'(u) φ'(v)] at covariance C∞, variances C0 (exact, 2-D Gaussian).

    In the fixed-point regime C(τ) ≡ C0_static, so C∞ = C0 = C0_static and λ² = (1 − s)/4 with s the
    stability parameter: positive on the stable side, zero at the fixed-point boundary."""
    K = pair_mean(lambda h: dphi(h), C_inf, C0, nodes=nodes, inner_nodes=inner_nodes)
    return 0.25 - np.asarray(g, float) ** 2 / 16 * K


def decay_rate_squared_factorized(g, C0, *, nodes: int):
    """The draft's factorised λ²_fact = 1/4 − (g²/16) (E[φ'(√C0 z)])² (exact when C∞ = 0)."""
    return 0.25 - np.asarray(g, float) ** 2 / 16 * mean(dphi, C0, nodes=nodes) ** 2


__all__ = ["chaotic_solution", "decay_rate_squared", "decay_rate_squared_factorized", "energy_balance"]
