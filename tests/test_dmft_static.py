"""Static solution, stability, fixed-point boundary, and the chaotic solution against SCS (σ_b = 0)."""

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq

from eoc.meanfield.rate import fixed_point_boundary, solve, static_map
from eoc.meanfield.rate.chaotic import decay_rate_squared
from eoc.meanfield.rate.gaussian import DEFAULT_INNER_NODES, DEFAULT_NODES, pair_mean
from eoc.meanfield.rate.nonlinearity import dphi, log_cosh, phi
from eoc.meanfield.rate.static import stability_parameter, static_variance


def _expect(f, variance):
    """E[f(√variance z)] by adaptive quadrature (independent of the Gauss–Hermite rule)."""
    return quad(
        lambda z: f(np.sqrt(variance) * z) * np.exp(-z * z / 2) / np.sqrt(2 * np.pi),
        -np.inf,
        np.inf,
        epsabs=1e-14,
        epsrel=1e-13,
        limit=400,
    )[0]


@pytest.mark.parametrize("g", [0.5, 1.0, 1.9])
def test_below_two_without_bias_the_zero_fixed_point(g):
    s = solve(g, 0.0)
    assert (s.C0, s.C0_static, s.C_inf) == (0.0, 0.0, 0.0)
    assert s.regime == "fixed_point" and s.status == "ok"
    assert s.lambda2 == pytest.approx(0.25 - g**2 / 16, abs=1e-15)
    assert s.lambda2_factorized == pytest.approx(0.25 - g**2 / 16, abs=1e-15)
    assert s.lyapunov_max == pytest.approx(-0.5 + g / 4, abs=1e-15)
    assert s.tau_inf == pytest.approx(1 / np.sqrt(0.25 - g**2 / 16), rel=1e-14)
    np.testing.assert_array_equal(s.autocorr, 0.0)


def test_variance_rises_continuously_from_zero_above_two():
    """Near g = 2 the σ_b = 0 energy balance C0² = (g²/2) Var Φ expands (Φ = x²/2 − x⁴/12 + …) to
    C0 = 1/2 − 2/g² + O((g − 2)²): C0 → 0 continuously, linearly in g − 2."""
    for epsilon in (1e-4, 1e-3, 1e-2):
        g = 2 + epsilon
        s = solve(g, 0.0)
        assert s.regime == "chaotic" and s.status == "ok"
        assert s.C0 == pytest.approx(0.5 - 2 / g**2, rel=3 * epsilon)
        assert 0 < s.C0 < s.C0_static


@pytest.mark.parametrize("g, sigma_b", [(1.0, 0.3), (2.5, 0.0), (3.0, 0.5), (4.0, 0.2)])
def test_static_variance_solves_the_static_equation(g, sigma_b):
    C0, converged = static_variance(g, sigma_b, nodes=DEFAULT_NODES)
    assert converged
    reference = 0.25 * g**2 * _expect(lambda h: phi(h) ** 2, C0) + 4 * sigma_b**2
    assert C0 == pytest.approx(reference, rel=1e-11)
    assert static_map(C0, g, sigma_b) == pytest.approx(C0, rel=1e-13)


def test_fixed_point_boundary():
    sigma_b = np.array([0.0, 0.05, 0.3, 0.8])
    g_c = fixed_point_boundary(sigma_b)
    assert g_c[0] == pytest.approx(2.0, abs=1e-14)
    assert np.all(np.diff(g_c) > 0)
    C0, _ = static_variance(g_c, sigma_b, nodes=DEFAULT_NODES)
    np.testing.assert_allclose(stability_parameter(g_c, C0, nodes=DEFAULT_NODES), 1.0, atol=1e-10)
    for g, s in zip(g_c, sigma_b, strict=True):
        assert solve(g * 0.99, s).regime == "fixed_point"
        assert solve(g * 1.01, s).regime == "chaotic"


def test_lambda2_vanishes_at_the_boundary_from_both_sides():
    sigma_b = 0.3
    g_c = fixed_point_boundary(sigma_b)
    below, above = solve(g_c * (1 - 1e-3), sigma_b), solve(g_c * (1 + 1e-3), sigma_b)
    assert below.regime == "fixed_point" and above.regime == "chaotic"
    assert 0 < below.lambda2 < 1e-3 and 0 < above.lambda2 < 1e-3
    assert below.tau_inf > 30 and above.tau_inf > 30
    far = solve(g_c * 1.3, sigma_b)
    assert far.lambda2 > above.lambda2


def test_chaotic_solution_conserves_energy_with_bias():
    g, sigma_b = 3.5, 0.4
    s = solve(g, sigma_b)
    assert s.regime == "chaotic" and s.status == "ok"
    assert 4 * sigma_b**2 < s.C_inf < s.C0 < s.C0_static
    rule = {"nodes": DEFAULT_NODES, "inner_nodes": DEFAULT_INNER_NODES}
    force = -s.C_inf / 4 + g**2 / 16 * pair_mean(phi, s.C_inf, s.C0, **rule) + sigma_b**2
    assert force == pytest.approx(0.0, abs=1e-12)

    def potential(C):
        return -C * C / 8 + g**2 / 16 * pair_mean(log_cosh, C, s.C0, **rule) + sigma_b**2 * C

    assert potential(s.C0) == pytest.approx(potential(s.C_inf), abs=1e-12)
    assert s.lambda2 == pytest.approx(decay_rate_squared(g, s.C_inf, s.C0, **rule), abs=1e-15)
    assert s.lambda2 > 0 and s.lambda2 != pytest.approx(s.lambda2_factorized, rel=1e-3)


@pytest.mark.parametrize("g_eff", [1.2, 1.5, 2.5])
def test_scs_mapping_without_bias(g_eff):
    """Rate model = SCS with g_eff = g/2 and s = t/2. In SCS units (ds, no 1/4 factors) the energy
    balance of Δ'' = Δ − g_eff² Q(Δ, Δ0) is Δ0²/2 = g_eff² Var[Φ(√Δ0 z)], and the decay rate of Δ(s)
    is λ_SCS² = 1 − g_eff² (E[φ'(√Δ0 z)])². The rate model must give C0 = Δ0, λ² = λ_SCS²/4
    (time doubled) and C(τ) = Δ(τ/2)."""

    def balance(delta):
        var_Phi = _expect(lambda h: log_cosh(h) ** 2, delta) - _expect(log_cosh, delta) ** 2
        return delta**2 / 2 - g_eff**2 * var_Phi

    delta0 = brentq(balance, 1e-6, 10.0, xtol=1e-14, rtol=1e-13)
    lambda2_scs = 1 - g_eff**2 * _expect(dphi, delta0) ** 2
    s = solve(2 * g_eff, 0.0)
    assert s.regime == "chaotic"
    assert s.C0 == pytest.approx(delta0, rel=1e-9)
    assert s.lambda2 == pytest.approx(lambda2_scs / 4, rel=1e-8)

    # Δ(s) from the SCS quadrature s(Δ) = ∫_Δ^{Δ0} dΔ'/√(2(V(Δ0) − V(Δ'))), with Δ' = Δ0 − u².
    rule = {"nodes": DEFAULT_NODES, "inner_nodes": DEFAULT_INNER_NODES}

    def V(d):
        return -d * d / 2 + g_eff**2 * pair_mean(log_cosh, d, delta0, **rule)

    top = V(delta0)
    for fraction in (0.8, 0.4):
        delta = fraction * delta0
        s_of_delta = quad(
            lambda u: 2 * u / np.sqrt(2 * (top - V(delta0 - u * u))),
            0,
            np.sqrt(delta0 - delta),
            epsabs=1e-12,
            epsrel=1e-10,
        )[0]
        tau = np.array([2 * s_of_delta])
        from eoc.meanfield.rate.curve import correlation_curve

        curve = correlation_curve(2 * g_eff, 0.0, s.C0, s.C_inf, tau_extent=tau[0] + 1, **rule)
        assert curve(tau)[0] == pytest.approx(delta, rel=1e-7)


@pytest.mark.parametrize("g_eff", [1.5, 2.5])
def test_scs_mapping_of_the_lyapunov_exponent(g_eff):
    """λ_rate(g) = λ_SCS(g/2)/2. In SCS units (s = t/2) the tangent problem is
    [−∂s² − g_eff² C_φ'(s)] ψ = −(λ_SCS + 1)² ψ with C_φ'(s) = E[φ'φ'] at covariance Δ(s) = C(2s);
    solved here independently: plain second-order differences, no Richardson step, C_φ' evaluated
    directly (not through the solver's Chebyshev interpolant)."""
    from scipy.linalg import eigh_tridiagonal

    from eoc.meanfield.rate.curve import correlation_curve

    s = solve(2 * g_eff, 0.0)
    rule = {"nodes": DEFAULT_NODES, "inner_nodes": DEFAULT_INNER_NODES}
    half_width = max(30.0, 10.0 / np.sqrt(4 * s.lambda2))  # in s units; decay rate 2λ there
    curve = correlation_curve(2 * g_eff, 0.0, s.C0, s.C_inf, tau_extent=2 * half_width, **rule)
    h = 0.005
    grid = np.arange(-half_width + h, half_width, h)
    delta = curve(2 * grid)
    potential = -(g_eff**2) * pair_mean(dphi, delta, s.C0, **rule)
    E0 = eigh_tridiagonal(
        2 / h**2 + potential,
        np.full(grid.size - 1, -1 / h**2),
        eigvals_only=True,
        select="i",
        select_range=(0, 0),
    )[0]
    lyapunov_scs = -1 + np.sqrt(-E0)
    assert s.lyapunov_max == pytest.approx(lyapunov_scs / 2, abs=1e-7)


def test_marginal_point_g_two_without_bias():
    s = solve(2.0, 0.0)
    assert s.regime == "fixed_point" and s.status == "ok"
    assert s.lambda2 == 0.0 and s.tau_inf == np.inf and s.lyapunov_max == 0.0
