"""The Lyapunov machinery (TSQR Benettin in the shared engine) on systems with known exponents."""

import numpy as np
import pytest
from scipy.stats import ortho_group

from eoc.simulate import driver
from eoc.simulate.disorder import Disorder
from eoc.simulate.engine import Engine
from eoc.simulate.lyapunov import block_stderr, entropy_rate, kaplan_yorke_dimension, orthonormalize
from eoc.simulate.options import Options
from eoc.simulate.parallel import SerialComm
from eoc.simulate.rate import rk4_step


class LinearMap:
    """x' = A x on one rank (one point): every exponent of A = s·O (O orthogonal) is log s."""

    time_step = 1.0

    def __init__(self, matrix, k, rng):
        self.matrix = matrix
        self.state = rng.standard_normal((matrix.shape[0], 1))
        self.tangents = rng.standard_normal((matrix.shape[0], 1, k))

    @property
    def observed(self):
        return self.state

    def keep(self, mask):
        raise AssertionError("a linear map with |s| < 1 never diverges")

    def step(self):
        self.state = self.matrix @ self.state
        self.tangents = np.einsum("ij,jak->iak", self.matrix, self.tangents)


class Relaxation:
    """ḣ = −a h integrated with the engine's RK4: exponent −a (up to O(dt⁴)), not 0."""

    def __init__(self, rate, dt, dim, k, rng):
        self.rate, self.time_step = rate, dt
        self.state = rng.standard_normal((dim, 1))
        self.tangents = rng.standard_normal((dim, 1, k))

    @property
    def observed(self):
        return self.state

    def keep(self, mask):
        raise AssertionError("relaxation never diverges")

    def step(self):
        self.state, self.tangents = rk4_step(
            lambda x, d: (-self.rate * x, -self.rate * d), self.state, self.tangents, self.time_step
        )


def integrate(dynamics, *, steps, transient=0, renorm_interval=1, n_units=None):
    engine = Engine(
        dynamics,
        SerialComm(),
        n_units=n_units or dynamics.observed.shape[0],
        steps=steps,
        transient=transient,
        renorm_interval=renorm_interval,
        n_lags=2,
        recorded_units=np.arange(dynamics.observed.shape[0]),
    )
    engine.integrate()
    return engine


def test_scaled_orthogonal_map_has_every_exponent_log_s():
    rng = np.random.default_rng(1)
    s = 0.9
    dynamics = LinearMap(s * ortho_group.rvs(6, random_state=2), k=6, rng=rng)
    engine = integrate(dynamics, steps=200, renorm_interval=5)
    np.testing.assert_allclose(engine.benettin.exponents[0], np.log(s), atol=1e-12)


@pytest.mark.parametrize("rate", [1.0, 1.5])
def test_relaxation_exponent_is_minus_rate_not_zero(rate):
    """ḣ = −a h: λ = log R(−a dt)/dt with R the RK4 stability polynomial, within 1e-4 of −a at dt = 0.1."""
    dt = 0.1
    engine = integrate(Relaxation(rate, dt, dim=3, k=2, rng=np.random.default_rng(0)), steps=300, renorm_interval=10)
    z = -rate * dt
    rk4 = np.log(1 + z + z**2 / 2 + z**3 / 6 + z**4 / 24) / dt
    np.testing.assert_allclose(engine.benettin.exponents[0], rk4, rtol=1e-10)
    np.testing.assert_allclose(rk4, -rate, atol=1e-4)


def test_rk4_exponent_error_is_fourth_order():
    errors = []
    for dt in (0.2, 0.1):
        engine = integrate(
            Relaxation(1.5, dt, dim=1, k=1, rng=np.random.default_rng(0)), steps=int(20 / dt), renorm_interval=1
        )
        errors.append(abs(engine.benettin.exponents[0, 0] + 1.5))
    assert 12 < errors[0] / errors[1] < 20


def test_rate_model_with_linear_transfer_has_eigenvalue_real_parts_as_spectrum():
    """φ(x) = x: δḣ = (−I/2 + (g/4) Z/√N) δ, so the exponents are the real parts of its eigenvalues."""
    config = Options(model="rate", g=1.6, sigma_b=0.5, N=8, seed=3, k=8, steps=4000, transient=1000, n_lags=2, dt=0.1)
    dynamics = driver.build_dynamics(config, SerialComm(), transfer=(lambda x: x, np.ones_like))
    engine = integrate(dynamics, steps=config.steps, transient=config.transient, renorm_interval=10)
    weights = Disorder.draw(n=8, seed=3, gates=1, units=slice(0, 8)).weights
    expected = np.sort(np.linalg.eigvals(-np.eye(8) / 2 + 1.6 / 4 * weights).real)[::-1]
    np.testing.assert_allclose(engine.benettin.exponents[0], expected, atol=2e-3)


class Recorder:
    """Wraps a model and records, before each measured step, the Jacobian's log|det| (map) or trace (flow)."""

    def __init__(self, model, transient, quantity):
        self.model, self.transient, self.quantity = model, transient, quantity
        self.values, self.count = [], 0

    def __getattr__(self, name):
        return getattr(self.model, name)

    def __setattr__(self, name, value):
        if name in ("state", "tangents"):
            setattr(self.model, name, value)
        else:
            super().__setattr__(name, value)

    @property
    def state(self):
        return self.model.state

    @property
    def tangents(self):
        return self.model.tangents

    def step(self):
        if self.count >= self.transient:
            dim = self.model.state.shape[0]
            jacobian = self.model.linearization(self.model.state, np.eye(dim)[:, None, :])[:, 0, :]
            self.values.append(self.quantity(jacobian))
        self.count += 1
        self.model.step()


def test_sum_rule_lstm_map():
    """Σ of all 2N exponents = time average of log|det J| along the trajectory (exact for a map)."""
    config = Options(
        model="lstm", g=3.0, sigma_b=0.2, N=5, seed=4, k=10, steps=400, transient=100, n_lags=2, renorm_interval=1
    )
    recorder = Recorder(driver.build_dynamics(config, SerialComm()), 100, lambda j: np.linalg.slogdet(j)[1])
    engine = integrate(recorder, steps=400, transient=100, renorm_interval=1, n_units=5)
    np.testing.assert_allclose(engine.benettin.exponents[0].sum(), np.mean(recorder.values), rtol=1e-9)


def test_sum_rule_rate_model():
    """Σ of all N exponents = time average of Tr DF(h(t)) (RK4 with dt = 0.1: up to O(dt⁴))."""
    config = Options(model="rate", g=4.0, sigma_b=0.0, N=6, seed=5, k=6, steps=1500, transient=200, n_lags=2, dt=0.1)
    recorder = Recorder(driver.build_dynamics(config, SerialComm()), 200, np.trace)
    engine = integrate(recorder, steps=1500, transient=200, renorm_interval=10)
    total = engine.benettin.exponents[0].sum()
    assert total < -1  # a dissipative flow: volumes contract
    np.testing.assert_allclose(total, np.mean(recorder.values), rtol=2e-3)


def test_orthonormalize_matches_numpy_qr():
    rng = np.random.default_rng(0)
    tangents = rng.standard_normal((7, 2, 3))
    expected = [np.log(np.abs(np.diag(np.linalg.qr(tangents[:, a])[1]))) for a in range(2)]
    log_r = orthonormalize(tangents, SerialComm())
    np.testing.assert_allclose(log_r, expected, rtol=1e-12)
    for a in range(2):
        np.testing.assert_allclose(tangents[:, a].T @ tangents[:, a], np.eye(3), atol=1e-14)


def test_block_stderr_of_independent_samples():
    """For iid rates the block-average stderr estimates σ/√n (within its own sampling error)."""
    rng = np.random.default_rng(3)
    rates = rng.normal(0.0, 2.0, size=(20000, 3))
    np.testing.assert_allclose(block_stderr(rates), 2.0 / np.sqrt(20000), rtol=0.4)
    assert np.isnan(block_stderr(rates[:1])).all()


def test_kaplan_yorke_and_entropy():
    assert kaplan_yorke_dimension([0.5, -0.2, -1.0]) == pytest.approx(2 + 0.3 / 1.0)
    assert kaplan_yorke_dimension([-0.1, -0.2]) == 0.0
    assert np.isnan(kaplan_yorke_dimension([0.5, 0.1]))  # k too small to close the sum
    assert entropy_rate([0.5, 0.2, -1.0]) == pytest.approx(0.7)
    assert np.isnan(entropy_rate([0.5, 0.2]))
