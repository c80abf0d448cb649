"""Gauss–Hermite expectations and the nonlinearity: exactness, cross-checks, convergence."""

import itertools

import numpy as np
import pytest
from scipy.integrate import dblquad, quad

from eoc.meanfield.rate.gaussian import DEFAULT_INNER_NODES, DEFAULT_NODES, mean, normal_rule, pair_mean
from eoc.meanfield.rate.nonlinearity import dphi, log_cosh, phi


def _gaussian_quad(f, variance):
    def density(y):
        return np.exp(-y * y / (2 * variance)) / np.sqrt(2 * np.pi * variance)

    return quad(lambda y: f(y) * density(y), -np.inf, np.inf, epsabs=1e-14, epsrel=1e-13, limit=400)[0]


def test_rule_integrates_gaussian_moments():
    x, w = normal_rule(61)
    assert w.sum() == pytest.approx(1.0, abs=1e-14)
    for k, moment in [(2, 1.0), (4, 3.0), (6, 15.0), (8, 105.0), (3, 0.0)]:
        assert x**k @ w == pytest.approx(moment, rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("variance, tolerance", [(0.3, 1e-14), (2.0, 1e-14), (4.0, 1e-14), (8.0, 1e-10)])
def test_mean_matches_adaptive_quadrature(variance, tolerance):
    """The default rule; its error grows with the variance (see eoc.meanfield.rate.gaussian)."""
    for f in (lambda h: phi(h) ** 2, lambda h: dphi(h) ** 2, log_cosh):
        assert mean(f, variance, nodes=DEFAULT_NODES) == pytest.approx(_gaussian_quad(f, variance), abs=tolerance)


def test_mean_converges_in_the_node_count():
    exact = _gaussian_quad(lambda h: dphi(h) ** 2, 8.0)
    errors = [abs(mean(lambda h: dphi(h) ** 2, 8.0, nodes=n) - exact) for n in (41, 61, 81, 101, 121)]
    assert all(later < earlier / 10 for earlier, later in itertools.pairwise(errors))


def test_pair_mean_matches_a_two_dimensional_cross_check():
    C0, C = 1.5, 0.9
    det = C0 * C0 - C * C

    def density(v, u):
        return np.exp(-(C0 * u * u - 2 * C * u * v + C0 * v * v) / (2 * det)) / (2 * np.pi * np.sqrt(det))

    reference = dblquad(lambda v, u: phi(u) * phi(v) * density(v, u), -12, 12, -12, 12, epsabs=1e-11)[0]
    assert pair_mean(phi, C, C0, nodes=DEFAULT_NODES, inner_nodes=DEFAULT_INNER_NODES) == pytest.approx(
        reference, abs=1e-10
    )


def test_pair_mean_limits_and_several_functions():
    C0 = 1.2
    both = pair_mean(
        lambda h: np.stack([phi(h), dphi(h)]),
        np.array([0.0, C0]),
        C0,
        nodes=DEFAULT_NODES,
        inner_nodes=DEFAULT_INNER_NODES,
    )
    assert both[0, 0] == pytest.approx(0.0, abs=1e-15)  # independent and odd
    assert both[1, 0] == pytest.approx(mean(dphi, C0, nodes=DEFAULT_INNER_NODES) ** 2, abs=1e-14)  # the inner rule
    assert both[0, 1] == pytest.approx(mean(lambda h: phi(h) ** 2, C0, nodes=DEFAULT_NODES), abs=1e-14)


def test_price_theorem_derivative_in_the_covariance():
    """d/dC E[φ(u)φ(v)] = E[φ'(u)φ'(v)]: a check of the nested rule, by central differences."""
    C0, C, h = 2.0, 1.1, 1e-4
    rule = {"nodes": DEFAULT_NODES, "inner_nodes": DEFAULT_INNER_NODES}
    slope = (pair_mean(phi, C + h, C0, **rule) - pair_mean(phi, C - h, C0, **rule)) / (2 * h)
    assert slope == pytest.approx(pair_mean(dphi, C, C0, **rule), abs=1e-8)


def test_log_cosh_is_accurate_everywhere():
    small = np.array([1e-8, -3e-5, 1e-3])
    assert log_cosh(small) == pytest.approx(small**2 / 2 - small**4 / 12, rel=1e-12)
    moderate = np.linspace(-5, 5, 11)
    assert log_cosh(moderate) == pytest.approx(np.log(np.cosh(moderate)), rel=1e-13, abs=1e-15)
    huge = np.array([800.0, -1e6])
    assert log_cosh(huge) == pytest.approx(np.abs(huge) - np.log(2.0), rel=1e-15)
