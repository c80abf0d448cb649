"""C(τ) from the quadrature, the Schrödinger problem and λ_max: ODE residual, analytic cases,
the time-translation mode, the continuum bound and convergence in the numerical options."""

import numpy as np
import pytest

from eoc.meanfield.rate import solve
from eoc.meanfield.rate.curve import CurveError, correlation_curve
from eoc.meanfield.rate.gaussian import DEFAULT_INNER_NODES, DEFAULT_NODES, pair_mean
from eoc.meanfield.rate.lyapunov import schrodinger_levels
from eoc.meanfield.rate.nonlinearity import phi

RULE = {"nodes": DEFAULT_NODES, "inner_nodes": DEFAULT_INNER_NODES}


@pytest.mark.parametrize("g, sigma_b", [(3.0, 0.0), (2.2, 0.0), (3.9, 0.4), (5.5, 1.0)])
def test_curve_satisfies_the_dmft_equation(g, sigma_b):
    """(−∂τ² + 1/4) C = (g²/16) Q(C, C0) + σ_b², by central differences on the returned curve."""
    s = solve(g, sigma_b)
    assert s.regime == "chaotic" and s.status == "ok"
    curve = correlation_curve(g, sigma_b, s.C0, s.C_inf, tau_extent=40.0, **RULE)
    h = 0.02
    tau = np.arange(-2 * h, 40.0, h)
    C = curve(tau)
    second = (C[2:] - 2 * C[1:-1] + C[:-2]) / h**2
    rhs = g**2 / 16 * pair_mean(phi, C[1:-1], s.C0, **RULE) + sigma_b**2
    residual = -second + C[1:-1] / 4 - rhs
    scale = np.max(np.abs(second)) + 1e-300
    assert np.max(np.abs(residual)) < 1e-4 * scale  # O(h²) finite-difference error
    assert C[2] == pytest.approx(s.C0, rel=1e-13)  # C(0) = C0
    assert np.all(np.diff(C[2:]) <= 0)  # decreasing towards C∞
    assert np.all(C >= s.C_inf)


def test_finite_difference_residual_shrinks_as_h_squared():
    s = solve(3.6, 0.3)
    curve = correlation_curve(3.6, 0.3, s.C0, s.C_inf, tau_extent=20.0, **RULE)

    def residual(h):
        tau = np.arange(0.0, 10.0, h)
        C = curve(tau)
        second = (C[2:] - 2 * C[1:-1] + C[:-2]) / h**2
        return np.max(np.abs(-second + C[1:-1] / 4 - 3.6**2 / 16 * pair_mean(phi, C[1:-1], s.C0, **RULE) - 0.09))

    coarse, fine = residual(0.2), residual(0.1)
    assert fine == pytest.approx(coarse / 4, rel=0.1)


def test_curve_tail_decays_at_rate_lambda():
    s = solve(3.0, 0.2)
    curve = correlation_curve(3.0, 0.2, s.C0, s.C_inf, tau_extent=600.0, **RULE)
    tau = np.array([450.0, 500.0])
    slope = np.diff(np.log(curve(tau) - s.C_inf))[0] / 50.0
    assert slope == pytest.approx(-np.sqrt(s.lambda2), rel=1e-6)


def test_schrodinger_levels_of_the_harmonic_oscillator():
    """−ψ'' + τ² ψ = E ψ has E = 1, 3: checks the grid, the walls and the Richardson step."""
    levels = schrodinger_levels(lambda tau: tau**2, box=10.0, step=0.02)
    np.testing.assert_allclose(levels, [1.0, 3.0], atol=1e-9)


def test_schrodinger_levels_of_the_poschl_teller_well():
    """U = −2 sech² τ has the single bound state E = −1 (ψ = sech τ), then the continuum at 0."""
    E0, E1 = schrodinger_levels(lambda tau: -2 / np.cosh(tau) ** 2, box=40.0, step=0.01)
    assert E0 == pytest.approx(-1.0, abs=1e-9)
    assert 0 < E1 < 0.02


@pytest.mark.parametrize("g, sigma_b", [(2.5, 0.0), (3.0, 0.0), (3.0, 0.2), (4.0, 0.5), (5.0, 1.0)])
def test_time_translation_mode_and_continuum_bound(g, sigma_b):
    s = solve(g, sigma_b)
    assert s.regime == "chaotic" and s.status == "ok"
    assert abs(s.odd_mode_error) < 1e-8  # E1 = −1/4: the zero exponent of the translation mode
    assert s.lyapunov_max >= s.lyapunov_bound
    assert s.lyapunov_max > 0


@pytest.mark.parametrize("g, sigma_b", [(1.5, 0.0), (2.5, 0.5), (3.0, 1.0)])
def test_fixed_point_exponent_is_the_stability_criterion(g, sigma_b):
    s = solve(g, sigma_b)
    assert s.regime == "fixed_point"
    assert s.lyapunov_max < 0
    assert s.lyapunov_max == pytest.approx(s.lyapunov_bound, abs=1e-14)  # the bound is tight here
    assert s.lambda2 == pytest.approx(0.25 - (s.lyapunov_max + 0.5) ** 2, abs=1e-14)
    np.testing.assert_array_equal(s.autocorr, s.C0_static)


def test_exact_and_factorised_lambda2_agree_without_bias_only():
    for g in (1.0, 2.5, 3.5):
        s = solve(g, 0.0)
        assert s.lambda2 == pytest.approx(s.lambda2_factorized, abs=1e-13)
    biased = solve(3.5, 0.5)
    assert abs(biased.lambda2 - biased.lambda2_factorized) > 1e-3


@pytest.mark.parametrize(
    "change",
    [
        {"nodes": 241, "inner_nodes": 181},
        {"box_points": 6000},
        {"box_decay_lengths": 30.0},
        {"chebyshev_degree": 64},
    ],
)
def test_converged_in_the_numerical_options(change):
    reference = solve(3.6, 0.3)
    assert reference.regime == "chaotic"
    refined = solve(3.6, 0.3, **change)
    for name in ("C0", "C_inf", "lambda2"):
        assert getattr(refined, name) == pytest.approx(getattr(reference, name), rel=1e-10)
    assert refined.lyapunov_max == pytest.approx(reference.lyapunov_max, rel=1e-7, abs=1e-10)
    np.testing.assert_allclose(refined.autocorr, reference.autocorr, rtol=1e-9)


def test_curve_rejects_a_pair_that_is_not_a_separatrix():
    s = solve(3.0, 0.0)
    with pytest.raises(CurveError, match="C0 - C_inf"):
        correlation_curve(3.0, 0.0, s.C0, s.C0, tau_extent=10.0, **RULE)
    with pytest.raises(CurveError, match="no separatrix"):  # above C0_static the particle is pushed up
        correlation_curve(3.0, 0.0, 1.2 * s.C0_static, 0.0, tau_extent=10.0, **RULE)
