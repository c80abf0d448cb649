"""Physics of the simulated networks against independent answers (fixed-point linearisation, DMFT)."""

import numpy as np
import pytest
from scipy.optimize import root

from eoc.meanfield import rate as dmft
from eoc.simulate import run
from eoc.simulate.disorder import Disorder

pytestmark = pytest.mark.slow


def _weights(n, seed, gates):
    disorder = Disorder.draw(n=n, seed=seed, gates=gates, units=slice(0, n))
    return disorder.weights.reshape(gates, n, n), disorder.bias


def _point(ds, g, sigma_b, name):
    return ds[name].sel(g=g, sigma_b=sigma_b).item()


def test_rate_model_stable_side_exponent_is_leading_eigenvalue_at_fixed_point():
    """Below g_c(σ_b): λ_max = max Re eig(−I/2 + (g/4) Z diag(φ'(h*))) at the root h* of F, to 1e-3."""
    n, seed, gains, biases = 150, 11, [1.5, 1.8], [0.0, 0.5]
    ds = run(model="rate", g=gains, sigma_b=biases, N=n, seed=seed, steps=6000, transient=2000, n_lags=10)
    (z,), (xi,) = _weights(n, seed, 1)
    for g in gains:
        for sigma_b in biases:

            def drift(h, g=g, sigma_b=sigma_b):
                return -h / 2 + g / 4 * z @ np.tanh(h) + sigma_b * xi

            fixed = root(drift, np.zeros(n), tol=1e-13)
            assert fixed.success
            jacobian = -np.eye(n) / 2 + g / 4 * z * (1 - np.tanh(fixed.x) ** 2)
            expected = np.linalg.eigvals(jacobian).real.max()
            assert expected < 0
            assert _point(ds, g, sigma_b, "status") == "fixed_point"
            assert abs(_point(ds, g, sigma_b, "lyapunov_max") - expected) < 1e-3, (g, sigma_b)
    # σ_b = 0: the fixed point is h* = 0 and λ_max → −1/2 + g/4 (circular law, finite-N edge)
    assert abs(_point(ds, 1.5, 0.0, "lyapunov_max") - (-0.5 + 1.5 / 4)) < 1.5 / 4 * 2 * np.sqrt(np.log(n) / n)


def _lstm_map(z, bias, g):
    n = z.shape[1]

    def step(state):
        c, h = state[:n], state[n:]
        pre = g * (z @ h) + bias
        f, i, o = 1 / (1 + np.exp(-pre[:3]))
        c_new = f * c + i * np.tanh(pre[3])
        return np.concatenate([c_new, o * np.tanh(c_new)]), (pre, f, i, o, c_new)

    return step


def test_lstm_stable_side_exponent_is_log_spectral_radius_at_fixed_point():
    """Below g_c: λ_max = log ρ(J(c*, h*)), J written out from the LSTM equations, to 1e-3."""
    n, seed, g, sigma_b = 80, 5, 1.5, 0.5
    ds = run(model="lstm", g=[g], sigma_b=[sigma_b], N=n, seed=seed, steps=3000, transient=1000, n_lags=10)
    z, xi = _weights(n, seed, 4)
    step = _lstm_map(z, sigma_b * xi, g)
    fixed = root(lambda s: step(s)[0] - s, np.zeros(2 * n), tol=1e-13)
    assert fixed.success
    pre, f, i, o, c = step(fixed.x)[1]
    c_hat, tanh_c = np.tanh(pre[3]), np.tanh(c)
    dc_dh = g * (
        (fixed.x[:n] * f * (1 - f))[:, None] * z[0]
        + (c_hat * i * (1 - i))[:, None] * z[1]
        + (i * (1 - c_hat**2))[:, None] * z[3]
    )
    dh_dc = np.diag(o * (1 - tanh_c**2))
    jacobian = np.block(
        [[np.diag(f), dc_dh], [dh_dc @ np.diag(f), dh_dc @ dc_dh + g * (tanh_c * o * (1 - o))[:, None] * z[2]]]
    )
    expected = np.log(np.abs(np.linalg.eigvals(jacobian)).max())
    assert _point(ds, g, sigma_b, "status") == "fixed_point"
    assert abs(_point(ds, g, sigma_b, "lyapunov_max") - expected) < 1e-3


def test_lstm_exponent_sign_changes_between_g_1p5_and_3():
    ds = run(model="lstm", g=[1.5, 3.0], sigma_b=[0.0], N=300, seed=2, steps=3000, transient=1000, n_lags=20)
    assert _point(ds, 1.5, 0.0, "lyapunov_max") < 0 and _point(ds, 1.5, 0.0, "status") == "fixed_point"
    chaotic = _point(ds, 3.0, 0.0, "lyapunov_max")
    assert chaotic > 3 * _point(ds, 3.0, 0.0, "lyapunov_max_stderr") and _point(ds, 3.0, 0.0, "status") == "chaotic"
    # gates of the chaotic network fluctuate around 1/2 (zero bias means)
    gates = ds["gate_mean"].sel(g=3.0, sigma_b=0.0).values.ravel()
    assert np.all(np.abs(gates - 0.5) < 0.1) and np.all(ds["gate_std"].sel(g=3.0, sigma_b=0.0).values > 0.05)


def test_rate_model_exponent_negative_below_g_2():
    ds = run(model="rate", g=[1.6, 1.9], sigma_b=[0.0, 0.2], N=300, seed=4, steps=1500, transient=500, n_lags=10)
    assert (ds["lyapunov_max"] < 0).all()


def test_rate_model_exponent_at_large_n_sits_a_few_percent_below_dmft():
    """g = 4, σ_b = 0, N = 2000 (two networks, 1000 t each): 0 < λ_DMFT − λ_N < 15 % of λ_DMFT,
    the gap significant (> 2 standard errors). Finite-N exponents approach the N → ∞ value from below."""
    lam = dmft.solve(4.0, 0.0).lyapunov_max
    values, errors = [], []
    for seed in (0, 1):
        ds = run(
            model="rate",
            g=[4.0],
            sigma_b=[0.0],
            N=2000,
            seed=seed,
            dt=0.2,
            steps=5000,
            transient=250,
            renorm_interval=5,
            n_lags=20,
            dtype="float32",
            jacobian_max_N=0,
        )
        assert ds["status"].item() == "chaotic"
        values.append(ds["lyapunov_max"].item())
        errors.append(ds["lyapunov_max_stderr"].item())
    mean, error = np.mean(values), np.sqrt(np.sum(np.square(errors))) / 2
    assert 0.05 < lam < 0.06  # SCS λ(g_eff = 2) / 2
    assert 2 * error < lam - mean < 0.15 * lam
