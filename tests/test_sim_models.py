"""The models: exact JVPs against finite differences, the zero-state Jacobian, the disorder's layout."""

import numpy as np
import pytest

from eoc.simulate import driver, observables
from eoc.simulate.disorder import Disorder
from eoc.simulate.observables import jacobian_radius
from eoc.simulate.options import Options
from eoc.simulate.parallel import Partition, SerialComm
from eoc.simulate.rate import rk4_step


def _dynamics(model, **options):
    base = dict(g=[1.5, 3.0], sigma_b=[0.0, 0.4], N=12, seed=3, k=2, n_lags=2)
    config = Options(model=model, **{**base, **options})
    return config, driver.build_dynamics(config, SerialComm())


def _central_difference(function, state, direction, eps=1e-6):
    return (function(state + eps * direction) - function(state - eps * direction)) / (2 * eps)


@pytest.mark.parametrize("model", ["lstm", "rate"])
def test_jvp_matches_finite_differences(model):
    """The tangent update of one step (LSTM map, RK4 map of the rate model) is the exact derivative."""
    _, dynamics = _dynamics(model, bias_means={"f": 1.0} if model == "lstm" else None)
    rng = np.random.default_rng(0)
    state = rng.normal(0, 0.8, dynamics.state.shape)
    tangents = rng.standard_normal(dynamics.tangents.shape)
    if model == "lstm":

        def step(x, t=tangents):
            return dynamics.advance(x, t)[:2]
    else:

        def step(x, t=tangents):
            return rk4_step(dynamics.rhs, x, t, dynamics.time_step)

    _, exact = step(state)
    for j in range(tangents.shape[2]):
        numeric = _central_difference(lambda x: step(x)[0], state, tangents[:, :, j])
        np.testing.assert_allclose(exact[:, :, j], numeric, rtol=1e-6, atol=1e-8)


def test_lstm_zero_state_jacobian_radius_exact_and_circular_law():
    """Zero biases: the non-zero eigenvalues are 1/2 + g μ/4, μ in spec(Z_c/√N); radius → 1/2 + g/4."""
    n, g = 300, 2.0
    _, dynamics = _dynamics("lstm", g=[g], sigma_b=[0.0], N=n, k=1)
    radius = jacobian_radius(dynamics, SerialComm(), zero_state_rows=2 * n)[0]
    z_c = dynamics.product.weights[3 * n : 4 * n]
    np.testing.assert_allclose(radius, np.abs(0.5 + g * np.linalg.eigvals(z_c) / 4).max(), rtol=1e-10)
    # Ginibre edge: ρ(Z/√N) = 1 + O(sqrt(log N / N)) (Rider 2003)
    assert abs(radius - (0.5 + g / 4)) < g / 4 * 2 * np.sqrt(np.log(n) / n)


def test_rate_zero_state_jacobian_radius():
    """−I/2 + (g/4) Z/√N: exact against its own eigenvalues, and → 1/2 + g/4 (circular law)."""
    n, g = 300, 3.0
    _, dynamics = _dynamics("rate", g=[g], sigma_b=[0.5], N=n, k=1)
    radius = jacobian_radius(dynamics, SerialComm(), zero_state_rows=n)[0]
    weights = dynamics.product.weights
    np.testing.assert_allclose(radius, np.abs(np.linalg.eigvals(-np.eye(n) / 2 + g / 4 * weights)).max(), rtol=1e-10)
    assert abs(radius - (0.5 + g / 4)) < g / 4 * 2 * np.sqrt(np.log(n) / n)


@pytest.mark.parametrize(
    ("model", "options"),
    [
        ("lstm", dict(sigma_b=[0.0, 0.4])),
        ("lstm", dict(sigma_b=[0.0], bias_means={"f": 1.0})),
        ("rate", dict(sigma_b=[0.0, 0.4])),
    ],
)
def test_jacobian_radius_from_the_n_by_n_spectrum_equals_the_dense_one(model, options):
    """The affine-spectrum route (rate model; LSTM points without biases) gives the radius of the
    dense zero-state Jacobian; the LSTM's biased points take the dense route."""
    n = 40
    config, dynamics = _dynamics(model, N=n, g=[1.5, 3.0], **options)
    radius = jacobian_radius(dynamics, SerialComm(), zero_state_rows=config.state_dim)
    dense = [observables._dense_radius(dynamics, SerialComm(), p, config.state_dim, 256) for p in range(radius.size)]
    np.testing.assert_allclose(radius, dense, rtol=1e-10)
    _, scale = observables.zero_state_affine_map(dynamics, SerialComm())
    unbiased = (np.asarray(config.point_bias_scales()) == 0) & (not config.bias_means)
    assert (np.isfinite(scale) == (unbiased | (model == "rate"))).all()


@pytest.mark.parametrize("size", [2, 3, 5])
def test_disorder_is_the_same_for_any_row_partition(size):
    """Each rank's rows, drawn alone, equal the rows of the one-rank draw bit for bit (N = 11)."""
    n = 11
    whole = Disorder.draw(n=n, seed=9, gates=4, units=slice(0, n))
    partition = Partition(n, size)
    for rank in range(size):
        units = partition.rows(rank)
        part = Disorder.draw(n=n, seed=9, gates=4, units=units)
        assert part.weights.shape == (4 * (units.stop - units.start), n)
        np.testing.assert_array_equal(part.weights.reshape(4, -1, n), whole.weights.reshape(4, n, n)[:, units])
        np.testing.assert_array_equal(part.bias, whole.bias[:, units])


def test_disorder_statistics_and_dtype():
    """Z/√N has variance 1/N; float32 weights are the float64 ones rounded (the same network)."""
    weights = Disorder.draw(n=400, seed=1, gates=1, units=slice(0, 400)).weights
    assert abs(weights.var() * 400 - 1) < 5 * np.sqrt(2 / 400**2)
    double = Disorder.draw(n=50, seed=1, gates=4, units=slice(0, 50))
    single = Disorder.draw(n=50, seed=1, gates=4, units=slice(0, 50), dtype=np.float32)
    assert single.weights.dtype == np.float32
    np.testing.assert_array_equal(single.weights, double.weights.astype(np.float32))


def test_partition_covers_units_once():
    partition = Partition(10, 3)
    assert partition.counts.tolist() == [4, 3, 3]
    assert [partition.rows(r) for r in range(3)] == [slice(0, 4), slice(4, 7), slice(7, 10)]


def test_batch_points_share_the_disorder():
    """A point of a batch evolves exactly as the same point run alone (the gains act on the rows)."""
    _, batch = _dynamics("lstm", g=[1.5, 3.0], sigma_b=[0.0, 0.4])
    _, single = _dynamics("lstm", g=[3.0], sigma_b=[0.4])
    for _ in range(5):
        batch.step()
        single.step()
    np.testing.assert_allclose(batch.state[:, 3], single.state[:, 0], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(batch.tangents[:, 3], single.tangents[:, 0], rtol=1e-13, atol=1e-15)


def test_per_gate_gains_and_bias_means_enter_the_gates():
    """With a vanishing σ_f and μ_f = 2 the forget gate is σ(2) in every unit."""
    _, dynamics = _dynamics("lstm", g=[2.0], sigma_b=[0.0], gate_gains={"f": 1e-12}, bias_means={"f": 2.0})
    dynamics.step()
    np.testing.assert_allclose(dynamics.gate_values[0], 1 / (1 + np.exp(-2.0)), rtol=1e-10)
