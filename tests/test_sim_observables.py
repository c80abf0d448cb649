"""Status classification and the autocorrelation, on small systems whose answers are known exactly."""

import numpy as np
import pytest

from eoc.simulate.engine import Engine
from eoc.simulate.observables import RECURRENCE_TOLERANCE, Recurrence, autocorrelation_sums, classify, correlation_time
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
    flow = True

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
    engine = Engine(
        dynamics,
        SerialComm(),
        n_units=dynamics.state.shape[0],
        steps=steps,
        transient=transient,
        renorm_interval=10,
        n_lags=n_lags,
        recorded_units=np.arange(dynamics.state.shape[0]),
    )
    engine.integrate()
    return {
        name: np.asarray(value)[..., 0] if name != "lyapunov" else value[0] for name, value in engine.results().items()
    }


@pytest.mark.parametrize(
    "dynamics, status, exponent",
    [
        (Hopf(omega=0.3), "limit_cycle", 0.0),
        (Logistic([0.3]), "chaotic", np.log(2)),
        (Scaling(0.5), "fixed_point", np.log(0.5)),
        (Scaling(-1.0), "limit_cycle", 0.0),
    ],
    ids=["hopf", "logistic", "contraction", "period-2"],
)
def test_status_and_exponent_of_known_attractors(dynamics, status, exponent):
    results = _results(dynamics)
    assert results["status"] == status
    assert abs(results["lyapunov"][0] - exponent) < max(4 * results["lyapunov_max_stderr"], 1e-3)
    assert (results["status_step"] == -1) == (status == "chaotic")


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


def test_classify_precedence_and_honesty():
    """Each status needs its evidence: λ_max 0.010 ± 0.004 (2.5 standard errors) without a
    recurrence is undecided, not a limit cycle (issue 14's N = 256 runs); with one it is."""
    status, step = classify(
        diverged_step=np.array([7.0, np.inf, np.inf, np.inf, np.inf, np.inf, np.inf, np.inf]),
        settled_since=np.array([5, 30, -1, -1, -1, -1, -1, -1]),
        lyapunov_max=np.array([0.1, -0.1, -0.05, 0.01, 0.2, 0.01, 1e-5, np.nan]),
        stderr=np.array([0.01, 0.001, 0.001, 0.004, 0.01, 0.004, 1e-5, np.nan]),
        decay=np.array([1.0, 1.0, 1e-6, 1.0, 1.0, 1.0, 1.0, 1.0]),
        periodic=np.array([False, False, False, False, True, True, True, False]),
        final_step=1100,
    )
    assert status.tolist() == [
        "diverged",
        "fixed_point",
        "fixed_point",
        "undecided",
        "limit_cycle",
        "limit_cycle",
        "limit_cycle",
        "undecided",
    ]
    assert step.tolist() == [7, 30, 1100, 1100, 1100, 1100, 1100, 1100]
    assert classify(
        diverged_step=np.array([np.inf]),
        settled_since=np.array([-1]),
        lyapunov_max=np.array([0.2]),
        stderr=np.array([0.01]),
        decay=np.array([1.0]),
        periodic=np.array([False]),
        final_step=1100,
    )[0].tolist() == ["chaotic"]


def _returns(states, interpolate):
    """Feed a (T, rows, P) trajectory to a Recurrence, updating every 10 steps."""
    recurrence = Recurrence(states.shape[2], interpolate=interpolate)
    index = np.arange(states.shape[2])
    for t, state in enumerate(states):
        recurrence.add(state, index)
        if t % 10 == 9:
            recurrence.update(SerialComm(), state, index)
    return recurrence


def test_recurrence_of_a_rotation_map_and_of_a_sampled_flow():
    """x' = R(2π/7) x returns exactly after 7 steps; a circle sampled at dt = 0.1 with period
    2π/0.3 (not a multiple of dt) returns between steps, which the parabola finds (r ~ dt³)."""
    angle = 2 * np.pi / 7
    t = np.arange(200)
    rotation = np.stack([np.cos(angle * t), np.sin(angle * t)], axis=1)[:, :, None]
    found = _returns(rotation, interpolate=False)
    assert found.periodic.all() and found.last_return[0] < 1e-12
    flow = np.stack([np.cos(0.3 * 0.1 * np.arange(3000)), np.sin(0.3 * 0.1 * np.arange(3000))], axis=1)[:, :, None]
    assert _returns(flow, interpolate=True).periodic.all()
    assert not _returns(flow, interpolate=False).periodic.any()  # sampled points miss it by ~ ω dt / 2


def test_no_recurrence_in_noise_nor_while_drifting():
    rng = np.random.default_rng(0)
    noise = rng.standard_normal((3000, 50, 2))
    found = _returns(noise, interpolate=True)
    assert not found.periodic.any()
    assert not (found.last_return < 10 * RECURRENCE_TOLERANCE).any()  # no return, or far ones
    drift = np.linspace(0, 1, 500)[:, None, None] * np.ones((1, 3, 1))  # monotone: no return at all
    assert np.isnan(_returns(drift, interpolate=True).last_return).all()


def _two_unit_rate_model(coupling, g):
    """The rate model ẋ = −x/2 + (g/4) W tanh x on two units with a chosen W."""
    from eoc.simulate.disorder import Disorder
    from eoc.simulate.parallel import Partition
    from eoc.simulate.rate import RateModel
    from eoc.simulate.recurrent import RecurrentProduct

    weights = np.array(coupling, dtype=float)
    disorder = Disorder(weights=weights, bias=np.zeros((1, 2)), units=slice(0, 2))
    product = RecurrentProduct(weights, SerialComm(), Partition(2, 1))
    return RateModel(
        disorder,
        product,
        gains=np.array([g]),
        bias_scales=np.array([0.0]),
        state=np.array([[0.3], [-0.2]]),
        tangents=np.array([[[1.0]], [[0.5]]]),
        dt=0.1,
    )


@pytest.mark.parametrize(
    "coupling, g, status",
    [
        # W = [[1, 2], [−2, 1]], g = 4: the origin is an unstable focus (eigenvalues 1/2 ± 2i) and tanh
        # bounds the orbit: in two dimensions (Poincaré–Bendixson) a limit cycle, λ_max = 0
        ([[1.0, 2.0], [-2.0, 1.0]], 4.0, "limit_cycle"),
        # g = 1: eigenvalues −1/4 ± i/2, the origin attracts: a fixed point
        ([[1.0, 2.0], [-2.0, 1.0]], 1.0, "fixed_point"),
    ],
    ids=["two-unit-cycle", "two-unit-fixed-point"],
)
def test_status_of_genuine_rate_model_attractors(coupling, g, status):
    results = _results(_two_unit_rate_model(coupling, g), steps=2000, transient=1000)
    assert results["status"] == status
    if status == "limit_cycle":
        assert abs(results["lyapunov"][0]) < 4 * results["lyapunov_max_stderr"] + 1e-3
