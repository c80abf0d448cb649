"""Reservoir forecasting: the chaotic series against known invariants, the ridge readout against
its closed form, the reservoir against the project's LSTM map, and a tiny forecasting run."""

import numpy as np
import pytest

from eoc.errors import InputError
from eoc.forecast import series
from eoc.forecast.reservoir import Reservoir, forecast_errors, nrmse, ridge
from eoc.simulate.disorder import Disorder
from eoc.simulate.lstm import LSTM
from eoc.simulate.parallel import Partition, SerialComm
from eoc.simulate.recurrent import RecurrentProduct


def test_lorenz63_largest_exponent():
    """Benettin over 1000 time units: λ_max = 0.9056 (Viswanath 1998) within a few percent."""
    assert series.lorenz63_lyapunov(1000.0) == pytest.approx(0.9056, rel=0.04)


def test_lorenz63_sampling_is_converged():
    coarse = series.lorenz63(200, dt=0.02, transient=5.0)
    assert np.all(np.isfinite(coarse)) and coarse.shape == (200, 3)
    assert np.abs(coarse[:, 2]).max() < 60  # on the attractor's bounding box (z ∈ [0, 50])


def test_mackey_glass_exponent_and_step_convergence():
    """λ_max at τ = 17 in the published range (module docstring); halving the step changes the
    series by far less than its spread over the first 300 time units (measured 5e-5 for 0.1 → 0.05
    and 1.3e-5 for 0.05 → 0.025: second order, from the derivative jumps that the constant history
    leaves at t = 0, τ, 2τ, ...)."""
    assert 0.0045 < series.mackey_glass_lyapunov(15000.0, step=0.1) < 0.0065
    a = series.mackey_glass(300, step=0.1, transient=0.0)[:, 0]
    b = series.mackey_glass(300, step=0.05, transient=0.0)[:, 0]
    assert np.max(np.abs(a - b)) < 2e-4
    assert 0.4 < a[100:].min() and a.max() < 1.4


def test_mackey_glass_step_must_divide_tau():
    with pytest.raises(InputError, match="divide"):
        series.mackey_glass(10, dt=0.6, step=0.3)


def test_ridge_is_the_closed_form_solution():
    """W = Y Xᵀ (X Xᵀ + β I)⁻¹ equals the least-squares solution of the augmented system
    [X; √β I] W ᵀ = [Y; 0]."""
    rng = np.random.default_rng(0)
    X, Y, beta = rng.normal(size=(300, 20)), rng.normal(size=(300, 3)), 0.7
    augmented = np.vstack([X, np.sqrt(beta) * np.eye(20)])
    expected = np.linalg.lstsq(augmented, np.vstack([Y, np.zeros((20, 3))]), rcond=None)[0].T
    assert np.allclose(ridge(X, Y, beta), expected, atol=1e-12)
    assert nrmse(Y, Y, Y.var(axis=0)) == 0.0


def test_reservoir_without_input_is_the_projects_lstm():
    n, seed = 30, 4
    reservoir = Reservoir.draw(n=n, seed=seed, g=[1.7], sigma_b=[0.3], inputs=1, input_gain=0.0, bias_means={"f": 1.0})
    disorder = Disorder.draw(n=n, seed=seed, gates=4, units=slice(0, n))
    state = np.random.default_rng(1).normal(size=(2 * n, 1))
    lstm = LSTM(
        disorder,
        RecurrentProduct(disorder.weights, SerialComm(), Partition(n, 1)),
        gains=np.full((4, 1), 1.7),
        bias_scales=np.array([0.3]),
        bias_means=np.array([1.0, 0, 0, 0]),
        state=state,
        tangents=np.zeros((2 * n, 1, 1)),
    )
    expected = lstm.advance(state, np.zeros((2 * n, 1, 1)))[0]
    c, h = reservoir.step(state[:n], state[n:], np.ones((1, 1)))
    assert np.allclose(np.r_[c, h], expected, atol=1e-13)


def test_tiny_forecast_learns_one_step():
    """A 60-unit reservoir in the ordered regime predicts Lorenz-63 one step ahead several times better than
    persistence, and the free run over a few steps stays accurate."""
    x = series.lorenz63(1000)
    reservoir = Reservoir.draw(n=60, seed=0, g=[0.5, 3.0], sigma_b=[0.0], inputs=3, input_gain=1.0)
    errors = forecast_errors(reservoir, x, washout=100, train=600, test=250, horizon=10, starts=4, regularisation=1e-6)
    u = (x - x[100:700].mean(axis=0)) / x[100:700].std(axis=0)
    persistence = nrmse(u[700:950], u[701:951], u[701:951].var(axis=0))
    assert errors["one_step"][0] < 0.35 * persistence
    assert errors["free_run"][0] < 0.5
    assert errors["one_step"].shape == (2,)
