"""The LSTM's fixed point with gate biases and its linear-stability criterion (docs/lstm-stability.md)
against analytic limits, quadrature convergence and finite-N fixed points and Jacobian spectra."""

import numpy as np
import pytest

from eoc.errors import InputError
from eoc.meanfield.lstm_fixed_point import FixedPointTheory
from eoc.simulate.disorder import Disorder
from eoc.simulate.fixed_point import FixedPoint, Network, find_fixed_point, jacobian
from eoc.simulate.lstm import LSTM
from eoc.simulate.parallel import Partition, SerialComm
from eoc.simulate.recurrent import RecurrentProduct


@pytest.fixture(scope="module")
def zero_means():
    return FixedPointTheory()


def test_zero_bias_limit_is_the_disk_about_one_half(zero_means):
    g = np.array([0.8, 1.5, 2.0, 3.0])
    assert np.allclose(zero_means.fixed_point_variance(g, 0.0), 0.0)
    assert np.allclose(zero_means.stability_at(g, 0.0), g**2 / 4, rtol=1e-12)
    for gain in (1.5, 3.0):
        right, left = zero_means.spectral_edge([0.0, np.pi], gain, 0.0, 0.0)
        assert right == pytest.approx(0.5 + gain / 4, rel=1e-8)
        # the disk |z − 1/2| ≤ g/4 reaches the negative axis only for g > 2
        assert np.isnan(left) if gain < 2 else left == pytest.approx(gain / 4 - 0.5, rel=1e-8)
    assert zero_means.critical_gain(0.0) == pytest.approx(2.0, rel=1e-8)


def test_quadrature_converged():
    coarse = FixedPointTheory({"f": 1.0, "c": 0.3}, nodes=25, cell_nodes=121)
    fine = FixedPointTheory({"f": 1.0, "c": 0.3}, nodes=41, cell_nodes=241)
    q_coarse, q_fine = coarse.fixed_point_variances(1.5, 0.5), fine.fixed_point_variances(1.5, 0.5)
    assert q_coarse == pytest.approx(q_fine, rel=1e-7)
    assert coarse.stability(1.5, 0.5, q_coarse) == pytest.approx(fine.stability(1.5, 0.5, q_fine), rel=1e-5)


def test_bad_gate_name_is_an_input_error():
    with pytest.raises(InputError, match="unknown gate"):
        FixedPointTheory({"forget": 1.0})


def test_explicit_jacobian_is_the_engines_derivative():
    """The 2N × 2N Jacobian of eoc.simulate.fixed_point equals the LSTM engine's exact JVP at the
    fixed point, and the fixed point is one of the engine's map."""
    n, seed, g, sigma_b, means = 40, 3, 1.3, 0.4, {"f": 1.0, "c": 0.2}
    network = Network.draw(n=n, seed=seed, g=g, sigma_b=sigma_b, bias_means=means)
    point = find_fixed_point(network)
    disorder = Disorder.draw(n=n, seed=seed, gates=4, units=slice(0, n))
    lstm = LSTM(
        disorder,
        RecurrentProduct(disorder.weights, SerialComm(), Partition(n, 1)),
        gains=np.full((4, 1), g),
        bias_scales=np.array([sigma_b]),
        bias_means=np.array([1.0, 0.0, 0.0, 0.2]),
        state=np.r_[point.c, point.h][:, None],
        tangents=np.zeros((2 * n, 1, 1)),
    )
    state = np.r_[point.c, point.h][:, None]
    unit_vectors = np.eye(2 * n)[:, None, :]
    new_state, columns, _ = lstm.advance(state, unit_vectors)
    assert np.allclose(new_state, state, atol=1e-10)
    assert np.allclose(columns[:, 0, :], jacobian(network, point), atol=1e-12)


@pytest.mark.parametrize(("means", "sigma_b", "g"), [({}, 0.5, 1.5), ({"f": 1.0, "c": 0.5}, 0.3, 1.5)])
def test_finite_N_fixed_point_and_spectral_edge(means, sigma_b, g):
    """At N = 500 the fixed point's ⟨h*²⟩ is within sampling error of equation (1), and the Jacobian's
    eigenvalues with arg z ≥ π/3 fill the predicted support up to its edge r(θ) (finite-N edge
    fluctuations are O(N^{-1/2}); measured ratios 0.98–1.05 at N = 500)."""
    theory = FixedPointTheory(means)
    q = theory.fixed_point_variance(g, sigma_b)
    network = Network.draw(n=500, seed=1, g=g, sigma_b=sigma_b, bias_means=means)
    point = find_fixed_point(network)
    assert point.q == pytest.approx(q, rel=0.1)
    eigenvalues = np.linalg.eigvals(jacobian(network, point))
    angles = np.linspace(np.pi / 3, np.pi, 7)
    edge = theory.spectral_edge(angles, g, sigma_b, q)
    bulk = eigenvalues[np.abs(np.angle(eigenvalues)) >= np.pi / 3]
    ratio = np.abs(bulk) / np.interp(np.abs(np.angle(bulk)), angles, edge)
    assert 0.93 < ratio.max() < 1.08
    assert np.mean(ratio > 1.0) < 0.05
    # stable side of the criterion: no eigenvalue outside the unit disk
    assert theory.stability(g, sigma_b, q) < 1 and np.abs(eigenvalues).max() < 1


def test_finite_N_stability_parameter_converges():
    """Λ_N = (1/N) Σ_jk (dT/dh)_jk² (the criterion with the empirical fixed point) tends to Λ."""
    theory = FixedPointTheory({"f": 1.0})
    g, sigma_b = 1.2, 0.5
    lam = theory.stability_at(g, sigma_b)
    estimates = []
    for seed in range(4):
        network = Network.draw(n=400, seed=seed, g=g, sigma_b=sigma_b, bias_means={"f": 1.0})
        point = find_fixed_point(network)
        estimates.append(_empirical_stability(network, point))
    assert np.mean(estimates) == pytest.approx(lam, rel=0.08)


def _empirical_stability(network: Network, p: FixedPoint) -> float:
    """(1/N) Σ_j Σ_x (g_x ∂T_j/∂a_x)² — the mean-field Λ with the finite network's units."""
    S = 1 - np.tanh(p.c) ** 2
    inv = 1 / (1 - p.f)
    d = np.stack(
        [
            p.o * S * p.c * p.f,
            p.o * S * p.c_hat * p.i * (1 - p.i) * inv,
            np.tanh(p.c) * p.o * (1 - p.o),
            p.o * S * p.i * (1 - p.c_hat**2) * inv,
        ]
    )
    return float(np.mean(np.sum((d * network.gains[:, None]) ** 2, axis=0)))
