"""The time-dependent (chaotic) DMFT solution by energy conservation, and the decay rate λ².

The stationary DMFT equation (docs/science.md §3), (−∂τ² + 1/4) C = (g²/16) Q(C, C0) + σ_b² (the draft's
eq. (5) writes g²/16 twice, once inside Δ: a typo), is Newton's law C'' = −∂V/∂C for a particle with
the potential

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

Speed (σ_b > 0): the nested bracketed solve runs first with a coarse rule; Newton's method on the
pair of equations (F1, F2) = (V'(C∞; C0), V(C0; C0) − V(C∞; C0)) with the fine rule then polishes
(C0, C∞), using Price's theorem for the Jacobian:

    ∂F1/∂C∞ = −λ²(C∞),   ∂F1/∂C0 = (g²/16) E[φ''(u) φ(v)],   ∂F2/∂C∞ = −F1,
    ∂F2/∂C0 = −C0/4 + (g²/16)(E[φ² + Φφ'](√C0 z) − E[φ'(u) Φ(v)]) + σ_b².

Points where the polish leaves the admissible region or does not converge are solved again by the
nested solve with the fine rule.

The decay rate of correlations (the draft's eq. 10): linearising around C∞, δC'' = λ² δC with
λ² = −V''(C∞) = 1/4 − (g²/16) E[φ'(u)φ'(v)] at covariance C∞ ≥ 0; the correlation time is
τ∞ = 1/√λ²; the draft's closed form τ∞ = 2/√(1 − (g²/4) E[sech²]) drops the square on E[sech²].
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.optimize.elementwise import find_root

from eoc.meanfield.rate.gaussian import mean, pair_mean
from eoc.meanfield.rate.nonlinearity import dphi, log_cosh

_SMALLEST_VARIANCE = 1e-100  # its square is still a normal float


def _phi_and_dphi(h):
    """φ and φ' stacked (written in place: stacking copies cost as much as the tanh)."""
    out = np.empty((2,) + h.shape)
    t = np.tanh(h, out=out[0])
    np.multiply(t, t, out=out[1])
    np.subtract(1.0, out[1], out=out[1])
    return out


def _smaller_root_of_force(C0, g, sigma_b, *, nodes, inner_nodes, maxiter, rtol=1e-14):
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
        converged[idx] = descending & (np.abs(step) <= rtol * C0[todo])
        converged[idx[force <= 0]] = True
        C[idx] = np.where(force > 0, update, C[idx])
    return C, found, converged | ~found


def energy_balance(C0, g, sigma_b, *, nodes, inner_nodes, maxiter=60, rtol=1e-14):
    """V(C0; C0) − V(C∞(C0); C0), positive where V' has no root (module docstring)."""
    C, found, _ = _smaller_root_of_force(
        C0, g, sigma_b, nodes=nodes, inner_nodes=inner_nodes, maxiter=maxiter, rtol=rtol
    )
    C = np.where(found, C, 0.0)
    top = mean(lambda h: log_cosh(h) ** 2, C0, nodes=nodes)  # = pair_mean at covariance C0
    bottom = pair_mean(log_cosh, C, C0, nodes=nodes, inner_nodes=inner_nodes)
    return -(C0**2 - C**2) / 8 + g**2 / 16 * (top - bottom) + sigma_b**2 * (C0 - C)


def _scaled_energy_unbiased(C0, g, *, nodes):
    """(V(C0) − V(0)) / C0² at σ_b = 0: −1/8 + (g²/16) Var[Φ(√C0 z)/C0], accurate as C0 → 0."""
    first = mean(log_cosh, C0, nodes=nodes) / C0
    second = mean(lambda h: log_cosh(h) ** 2, C0, nodes=nodes) / C0**2
    return -0.125 + g**2 / 16 * (second - first**2)


_COARSE_NODES = 61


def _nested_solution(g, sigma_b, C0_static, *, nodes, inner_nodes, maxiter, rtol=1e-13):
    """Bracketed energy balance in C0 (outer) with the Newton root of V' (inner); σ_b > 0.
    ``rtol``: relative tolerance of C0 (and, 0.1 rtol, of the inner root)."""
    residual = functools.partial(energy_balance, nodes=nodes, inner_nodes=inner_nodes, maxiter=maxiter, rtol=0.1 * rtol)
    result = find_root(
        residual,
        (4.0 * sigma_b**2, C0_static),
        args=(g, sigma_b),
        tolerances={"xatol": 0.0, "xrtol": rtol},
        maxiter=maxiter,
    )
    roots = np.where(result.success, result.x, np.nan)
    C, found, converged = _smaller_root_of_force(
        np.nan_to_num(roots),
        g,
        sigma_b,
        nodes=nodes,
        inner_nodes=inner_nodes,
        maxiter=maxiter,
        rtol=0.1 * rtol,
    )
    ok = result.success & found & converged
    return np.where(ok, roots, np.nan), np.where(ok, C, np.nan), ok


def _derivatives_of_phi(h):
    """φ, φ', φ'', Φ stacked."""
    out = np.empty((4,) + h.shape)
    t = np.tanh(h, out=out[0])
    sech2 = np.subtract(1.0, t * t, out=out[1])
    np.multiply(t, sech2, out=out[2])
    out[2] *= -2.0
    out[3] = log_cosh(h, t)
    return out


def _diagonal_terms(h):
    """Φ², φ², φ'Φ stacked (the expectations at covariance C0)."""
    out = np.empty((3,) + h.shape)
    t = np.tanh(h)
    Phi = log_cosh(h, t)
    np.multiply(Phi, Phi, out=out[0])
    np.multiply(t, t, out=out[1])
    np.multiply(1.0 - out[1], Phi, out=out[2])
    return out


def _newton_polish(C0, C, g, sigma_b, C0_static, *, nodes, inner_nodes, maxiter):
    """Newton's method on (F1, F2) from a nearby (C0, C∞) (module docstring). Returns the polished
    values and a mask of the points that converged inside the admissible region."""
    C0, C = C0.copy(), C.copy()
    k = g**2 / 16
    converged = np.zeros(C0.shape, bool)
    admissible = np.isfinite(C0) & np.isfinite(C)
    for _ in range(maxiter):
        todo = admissible & ~converged
        if not todo.any():
            break
        c0, c, kk, s2 = C0[todo], C[todo], k[todo], sigma_b[todo] ** 2
        Q, K, dQ, B, dB = pair_mean(
            _derivatives_of_phi,
            c,
            c0,
            nodes=nodes,
            inner_nodes=inner_nodes,
            pairs=[(0, 0), (1, 1), (2, 0), (3, 3), (1, 3)],
        )
        A, phi2, dA = mean(_diagonal_terms, c0, nodes=nodes)  # = pair_mean at covariance C0
        F1 = -c / 4 + kk * Q + s2
        F2 = -(c0**2 - c**2) / 8 + kk * (A - B) + s2 * (c0 - c)
        J11, J12 = kk * dQ, -0.25 + kk * K
        J21, J22 = -c0 / 4 + kk * (phi2 + dA - dB) + s2, -F1
        det = J11 * J22 - J12 * J21
        step_C0 = (F1 * J22 - F2 * J12) / det
        step_C = (J11 * F2 - J21 * F1) / det
        C0[todo], C[todo] = c0 - step_C0, c - step_C
        idx = np.flatnonzero(todo)
        # quadratic convergence: steps of 1e-11 leave errors of order 1e-20 behind
        converged[idx] = (np.abs(step_C0) <= 1e-11 * c0) & (np.abs(step_C) <= 1e-11 * c0)
        admissible[idx] = (
            (C0[todo] > 4 * s2) & (C0[todo] <= C0_static[todo]) & (C[todo] >= 0) & (C[todo] < C0[todo]) & (J12 < 0)
        )
    return C0, C, converged & admissible


def chaotic_solution(g, sigma_b, C0_static, *, nodes: int, inner_nodes: int, maxiter: int = 60):
    """C0 and C∞ of the chaotic solution for arrays of (g, σ_b) where the static solution (variance
    ``C0_static``) is unstable. Returns ``(C0, C_inf, converged)``; unconverged entries are NaN."""
    g, sigma_b, C0_static = (np.asarray(a, float) for a in np.broadcast_arrays(g, sigma_b, C0_static))
    C0 = np.full(g.shape, np.nan)
    C_inf = np.full(g.shape, np.nan)
    unbiased = sigma_b == 0
    if unbiased.any():
        residual = functools.partial(_scaled_energy_unbiased, nodes=nodes)
        lower = np.full(unbiased.sum(), _SMALLEST_VARIANCE)
        result = find_root(
            residual,
            (lower, C0_static[unbiased]),
            args=(g[unbiased],),
            tolerances={"xatol": 0.0, "xrtol": 1e-13},
            maxiter=maxiter,
        )
        C0[unbiased] = np.where(result.success, result.x, np.nan)
        C_inf[unbiased] = np.where(result.success, 0.0, np.nan)
    biased = ~unbiased
    if biased.any():
        args = (g[biased], sigma_b[biased], C0_static[biased])
        coarse = {"nodes": min(nodes, _COARSE_NODES), "inner_nodes": min(inner_nodes, _COARSE_NODES)}
        start_C0, start_C, _ = _nested_solution(*args, maxiter=maxiter, rtol=1e-7, **coarse)
        C0_b, C_b, ok = _newton_polish(
            start_C0, start_C, *args, nodes=nodes, inner_nodes=inner_nodes, maxiter=min(maxiter, 12)
        )
        if not ok.all():
            retry = ~ok
            C0_b[retry], C_b[retry], _ = _nested_solution(
                *(a[retry] for a in args), nodes=nodes, inner_nodes=inner_nodes, maxiter=maxiter
            )
        C0[biased], C_inf[biased] = C0_b, C_b
    return C0, C_inf, np.isfinite(C0)


def decay_rate_squared(g, C_inf, C0, *, nodes: int, inner_nodes: int):
    """λ² = 1/4 − (g²/16) E[φ'(u) φ'(v)] at covariance C∞, variances C0 (exact, 2-D Gaussian).

    In the fixed-point regime C(τ) ≡ C0_static, so C∞ = C0 = C0_static and λ² = (1 − s)/4 with s the
    stability parameter: positive on the stable side, zero at the fixed-point boundary."""
    C_inf, C0 = np.broadcast_arrays(np.asarray(C_inf, float), np.asarray(C0, float))
    # The rule's exact reductions at covariance C0 (outer rule) and 0 (inner rule), to save time.
    K = np.where(C_inf == C0, mean(lambda h: dphi(h) ** 2, C0, nodes=nodes), mean(dphi, C0, nodes=inner_nodes) ** 2)
    general = (C_inf > 0) & (C_inf < C0)
    K[general] = pair_mean(dphi, C_inf[general], C0[general], nodes=nodes, inner_nodes=inner_nodes)
    return 0.25 - np.asarray(g, float) ** 2 / 16 * K


def decay_rate_squared_factorized(g, C0, *, nodes: int):
    """The draft's factorised λ²_fact = 1/4 − (g²/16) (E[φ'(√C0 z)])² (exact when C∞ = 0)."""
    return 0.25 - np.asarray(g, float) ** 2 / 16 * mean(dphi, C0, nodes=nodes) ** 2
