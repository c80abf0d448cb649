"""Status classification and the autocorrelation, on small systems whose answers are known exactly."""

import numpy as np
import pytest

from eoc.simulate.engine import Engine
from eoc.simulate.observables import autocorrelation_sums, classify, correlation_time
from eoc.simulate.parallel import SerialComm
from eoc.simulate.rate import rk4_step


class _Toy:
    """Base of the toy dynamics: one point, the whole state observed."""

    def __init__(self, state, k=1):
        self.state = np.asarray(state, dtype=float).reshape(-1, 1)
        self.tangents = np.ones((self.state.shape[0], 1, k))

    @property
    def observed(self):
        return self.state

    def keep(self, mask):
        self.state, self.tangents = self.state[:, mask], self.tangents[:, mask]


class Hopf(_Toy):
    """ẋ = x(1 − r²) − ω y, ẏ = y(1 − r²) + ω x: a stable limit cycle r = 1, exponents 0 and −2."""

    time_step = 0.1

    def __init__(self, omega):
        super().__init__([0.3, 0.0], k=2)
        self.omega = omega

    def rhs(self, s, d):
        x, y = s
        r2 = x**2 + y**2
        drift = np.stack([x * (1 - r2) - self.omega * y, y * (1 - r2) + self.omega * x])
        jac = np.array([[1 - r2 - 2 * x**2, -2 * x * y - self.omega], [-2 * x * y + self.omega, 1 - r2 - 2 * y**2]])
        return drift, np.einsum("ija,jak->iak", jac, d)

    def step(self):
        self.state, self.tangents = rk4_step(self.rhs, self.state, self.tangents, self.time_step)


class Logistic(_Toy):
    """x' = 4x(1 − x): chaotic, λ = log 2."""

    time_step = 1.0

    def step(self):
        x = self.state
        self.tangents = (4 - 8 * x)[..., None] * self.tangents
        self.state = 4 * x * (1 - x)


class Scaling(_Toy):
    """x' = a x: a fixed point for |a| < 1, a period-2 orbit for a = −1, overflow for |a| > 1."""

    time_step = 1.0

    def __init__(self, a):
        super().__init__([1.0])
        self.a = a

    def step(self):
        with np.errstate(over="ignore"):
            self.state = self.a * self.state
            self.tangents = self.a * self.tangents


def _results(dynamics, steps=2000, transient=200, n_lags=20):
    engine = Engine(dynamics, SerialComm(), n_units=dynamics.state.shape[0], steps=steps, transient=transient,
                    renorm_interval=10, n_lags=n_lags, recorded_units=np.arange(dynamics.state.shape[0]))
    engine.integrate()
    return {name: np.asarray(value)[..., 0] if name != "lyapunov" else value[0] for name, value in engine.results().items()}


@pytest.mark.parametrize(
    "dynamics, status, exponent",
    [
        (Hopf(omega=0.3), "limit_cycle", 0.0),
        (Logistic([0.3]), "ok", np.log(2)),
        (Scaling(0.5), "fixed_point", np.log(0.5)),
        (Scaling(-1.0), "limit_cycle", 0.0),
    ],
    ids=["hopf", "logistic", "contraction", "period-2"],
)
def test_status_and_exponent_of_known_attractors(dynamics, status, exponent):
    results = _results(dynamics)
    assert results["status"] == status
    assert abs(results["lyapunov"][0] - exponent) < max(4 * results["lyapunov_max_stderr"], 1e-3)
    assert (results["status_step"] == -1) == (status == "ok")


def test_hopf_second_exponent_and_fixed_point_step():
    assert _results(Hopf(omega=0.3))["lyapunov"][1] == pytest.approx(-2.0, abs=0.01)
    # 0.5^t falls below the tolerance 1e-2 √eps ≈ 1.5e-10 (rms change per step 0.5^t) after 33 steps
    assert _results(Scaling(0.5), transient=0)["status_step"] == 40


def test_overflow_is_diverged_with_its_step():
    results = _results(Scaling(10.0), transient=0)
    assert results["status"] == "diverged"
    assert results["status_step"] == 309  # 10^309 > 1.8e308, the largest float64
    assert np.isnan(results["lyapunov"]).all()


def test_autocorrelation_on_the_hopf_cycle():
    """On the cycle r = 1: C(τ) = (x x' + y y')/2 = cos(ωτ)/2, C0 = 1/2, τ_corr = arccos(1/e)/ω."""
    omega = 0.3
    results = _results(Hopf(omega), steps=20000, transient=1000, n_lags=30)
    lags = np.arange(30.0)
    np.testing.assert_allclose(results["autocorr"], np.cos(omega * lags) / 2, atol=2e-3)
    assert results["C0"] == pytest.approx(0.5, abs=1e-3)
    assert results["tau_corr"] == pytest.approx(np.arccos(np.exp(-1)) / omega, rel=0.02)


def test_autocorrelation_sums_are_unbiased_estimates():
    """A constant series: C_i(τ) = c² at every lag (the 1/(T − τ) normalisation), m_i² = c²."""
    samples = np.full((50, 3, 2), 2.0)
    sums, mean_squares = autocorrelation_sums(samples, 10)
    np.testing.assert_allclose(sums, 12.0)
    np.testing.assert_allclose(mean_squares, 12.0)
    assert np.isnan(correlation_time(sums / 3, mean_squares / 3, np.arange(10.0))).all()  # no fluctuations


def test_classify_precedence():
    status, step = classify(
        diverged_step=np.array([7.0, np.inf, np.inf, np.inf, np.inf]),
        settled_since=np.array([5, 30, -1, -1, -1]),
        lyapunov_max=np.array([0.1, -0.1, -0.05, 0.001, 0.2]),
        stderr=np.array([0.01, 0.001, 0.001, 0.01, 0.01]),
        decay=np.array([1.0, 1.0, 1e-6, 1.0, 1.0]),
        measured_time=1000.0,
        final_step=1100,
    )
    assert status.tolist() == ["diverged", "fixed_point", "fixed_point", "limit_cycle", "ok"]
    assert step.tolist() == [7, 30, 1100, 1100, -1]
