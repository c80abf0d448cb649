"""The LSTM's mean-field theory (eoc.meanfield.lstm): analytic limits, an independent reduced map,
convergence in the numerical options, and the recorded finite-size extrapolation of the project's
own simulations (benchmarks/lstm_finite_size.py)."""

import json
from pathlib import Path

import numpy as np
import pytest

from eoc.errors import InputError
from eoc.meanfield.lstm import Options, onset_gain, solve, solve_grid, stationary, unit
from eoc.meanfield.lstm.gates import gate_statistics
from eoc.meanfield.lstm.parameters import Parameters
from eoc.meanfield.lstm.processes import (
    autocovariance,
    circular_covariance,
    complex_normal,
    sample,
    spectrum,
    variance,
    with_static,
)

#: Cheap options for the unit tests (errors are reported and used in the tolerances).
FAST = dict(paths=1024, coarse_paths=256, fine_iterations=16, batches=4, replicas=4)
FROZEN = {"f": 0.0, "i": 0.0, "o": 0.0}
RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"


def combined(*errors):
    return float(np.sqrt(np.sum(np.square(errors))))


# -- (b) the zero state and the onset -----------------------------------------------------------------
@pytest.mark.parametrize("g", [0.5, 1.0, 1.5, 1.9])
def test_zero_state_below_onset(g):
    """σ_b = 0, g < 2: the zero state, gates exactly 1/2, λ_max = ln(1/2 + g/4) (docs/science.md §2)."""
    s = solve(g, 0.0)
    assert s.regime == "fixed_point" and s.status == "ok"
    assert s.C0 == 0.0 and s.c_square == 0.0 and np.all(s.autocorr == 0.0)
    assert np.allclose(s.gate_mean, 0.5, atol=1e-15) and np.allclose(s.gate_std, 0.0, atol=1e-15)
    assert s.lyapunov_max == pytest.approx(np.log(0.5 + g / 4), abs=1e-12)
    assert s.stability == pytest.approx(g**2 / 4, rel=1e-12)


def test_only_the_candidate_gain_enters_the_zero_state_exponent():
    """At the zero state only σ_c enters at linear order: other gains leave λ_max = ln(1/2 + σ_c/4)."""
    s = solve(1.2, 0.0, gate_gains={"f": 5.0, "i": 0.1, "o": 9.0})
    assert s.regime == "fixed_point" and s.C0 == 0.0
    assert s.lyapunov_max == pytest.approx(np.log(0.5 + 1.2 / 4), abs=1e-12)
    assert onset_gain(0.0, gate_gains={"f": 5.0, "o": 0.0}, nodes=32) == pytest.approx(2.0, abs=1e-8)


def test_onset_at_zero_bias_is_two_and_grows_with_the_bias():
    assert onset_gain(0.0, nodes=32) == pytest.approx(2.0, abs=1e-8)
    g_c = [onset_gain(s, nodes=32) for s in (0.0, 0.2, 0.5)]
    assert g_c[0] < g_c[1] < g_c[2]
    # at the onset the static branch is marginal: s = 1 there, s < 1 just below
    below = solve(g_c[2] - 0.02, 0.5)
    assert below.regime == "fixed_point" and below.stability == pytest.approx(1.0, abs=0.05)
    assert below.stability < 1.0 and below.lyapunov_max == 0.0  # σ_b > 0: unit memories, sup f = 1


@pytest.mark.slow
def test_lyapunov_exponent_is_continuous_at_the_onset():
    """σ_b = 0: λ_max(g) → 0 as g → 2⁺ from the chaotic side and ln(1/2 + g/4) → 0 from below."""
    near = solve(2.2, 0.0, lags=128, steps=2048, **{k: v for k, v in FAST.items()})
    far = solve(2.6, 0.0, **FAST)
    assert near.regime == far.regime == "chaotic"
    assert 0.0 < near.lyapunov_max < far.lyapunov_max
    assert near.lyapunov_max < 0.03  # the fixed-point side reaches ln(1/2 + 2/4) = 0 at g = 2
    assert near.C0 < far.C0


# -- (a) gates frozen at 1/2: an independent random map --------------------------------------------------
def reduced_map(g, n, seed, steps=1000, transient=200):
    """Simulate c' = c/2 + tanh(g Z h)/2, h = tanh(c)/2 (Z_ij ~ N(0, 1/N)) with a tangent vector:
    (⟨h²⟩, λ_max per step, C_h(τ)/C_h(0) for τ < 13)."""
    rng = np.random.default_rng(seed)
    J = g * rng.standard_normal((n, n)) / np.sqrt(n)
    c = 0.5 * rng.standard_normal(n)
    dc = rng.standard_normal(n)
    dc /= np.linalg.norm(dc)
    h2 = log_growth = 0.0
    history = []
    for t in range(steps + transient):
        h = 0.5 * np.tanh(c)
        dh = 0.5 * (1 - np.tanh(c) ** 2) * dc
        a = J @ h
        c = 0.5 * c + 0.5 * np.tanh(a)
        dc = 0.5 * dc + 0.5 * (1 - np.tanh(a) ** 2) * (J @ dh)
        norm = np.linalg.norm(dc)
        dc /= norm
        if t >= transient:
            history.append(0.5 * np.tanh(c))
            h2 += np.mean(history[-1] ** 2)
            log_growth += np.log(norm)
    history = np.array(history)
    C = np.array([np.mean(history[: steps - lag] * history[lag:]) for lag in range(13)])
    return h2 / steps, log_growth / steps, C / C[0]


def test_frozen_gates_match_the_reduced_random_map():
    """σ_f = σ_i = σ_o = 0, σ_b = 0: gates exactly 1/2 and the LSTM is c' = c/2 + tanh(U_c h)/2,
    h = tanh(c)/2. Theory against simulations of that map at N = 1500 (two seeds; the 1/N bias of
    ⟨h²⟩ and λ_max is below the tolerance, which is what a wrong factor 1/2 or a connected instead
    of a total correlation would exceed many times), and the shape of the autocorrelation over its
    first 12 lags (falling to ~0.2: theory within 0.016 of the two seeds at N = 1500). C_∞ = 0 here:
    the second solver's C_∞ taken from the window's tail and clipped at 0 crept to 1.2 % of C_h(0)."""
    g = 4.0
    theory = solve(g, 0.0, gate_gains=FROZEN, **FAST)
    assert theory.regime == "chaotic" and theory.status == "ok" and abs(theory.C_inf) < 0.003 * theory.C0
    assert np.allclose(theory.gate_mean, 0.5) and np.allclose(theory.gate_std, 0.0)
    sims = [reduced_map(g, 1500, seed) for seed in range(2)]
    h2, lyap = np.mean([sim[:2] for sim in sims], axis=0)
    assert theory.C0 == pytest.approx(h2, rel=0.04)  # measured: +3.5 % at N = 1000, +2 % at N = 1500
    assert theory.lyapunov_max == pytest.approx(lyap, abs=0.01)
    shape = np.mean([sim[2] for sim in sims], axis=0)
    assert np.max(np.abs(theory.autocorr[:13] / theory.C0 - shape)) < 0.03, (theory.autocorr[:13] / theory.C0, shape)


# -- pieces -------------------------------------------------------------------------------------------
def test_circulant_samples_have_the_requested_covariance():
    tau = np.arange(32)
    cov = 0.3 * np.exp(-0.25 * tau) * np.cos(0.4 * tau)
    cov[24:] = 0.0
    root = spectrum(cov, 512)[None, :]
    x = sample(with_static(root, [0.25], 512), np.array([1.0]), 4000, 512, np.random.default_rng(0))[0]
    assert x.mean() == pytest.approx(1.0, abs=0.02)
    estimate = autocovariance(x - x.mean(axis=1, keepdims=True), 32).mean(axis=0)  # static part removed per path
    assert np.max(np.abs(estimate - cov)) < 0.01
    total = autocovariance(x - 1.0, 32).mean(axis=0)  # with the static part: + 0.5² at every lag
    assert np.max(np.abs(total - cov - 0.25)) < 0.02


def test_a_static_part_adds_a_constant_at_every_lag_of_either_sign():
    """with_static folds the static variance into the zero frequency: the sampled covariance moves
    by exactly K_static at every lag, for a small negative K_static too (a noisy C_∞ near 0 is not
    clipped, so the sampled law is smooth through 0)."""
    tau = np.arange(32)
    root = spectrum(0.3 * np.exp(-0.25 * tau), 512)[None, :]
    lags = [0, 1, 5, 100, 256]
    for static in (0.25, -1e-4):
        moved = circular_covariance(with_static(root, [static], 512), 512, lags) - circular_covariance(root, 512, lags)
        assert np.allclose(moved, static, rtol=1e-10, atol=1e-14)


def test_lag_products_have_the_circulant_covariance_as_expectation():
    """The sampler's per-path lag products (control variates) average to the circulant's covariance
    at those lags (4 standard errors), and equal the time average of x(t) x(t + τ) of the returned
    process, taken circularly, after removing the path's time mean."""
    tau = np.arange(32)
    root = np.stack([spectrum(0.3 * np.exp(-0.25 * tau) * np.cos(0.4 * tau), 256), spectrum(np.exp(-tau), 256)])
    lags = [0, 1, 3, 8]
    root = with_static(root, [0.25, 0.0], 256)
    x, products = sample(root, np.array([1.0, -1.0]), 3000, 256, np.random.default_rng(3), lags=lags)
    expected = circular_covariance(root, 256, lags)
    stderr = products.std(axis=1, ddof=1) / np.sqrt(products.shape[1])
    assert np.all(np.abs(products.mean(axis=1) - expected) < 4 * stderr)
    dynamic = (x - x.mean(axis=2, keepdims=True)).astype(float)
    circular = np.stack([np.mean(dynamic * np.roll(dynamic, -lag, axis=2), axis=2) for lag in lags], axis=-1)
    difference = products - circular  # (time mean − μ)², static part included, at every lag
    assert np.allclose(difference, difference[..., :1], atol=1e-5)


def test_complex_normals_are_standard():
    """Box–Muller complex normals: real and imaginary parts N(0, 1), uncorrelated, Gaussian fourth
    moment (a wrong radius, √(−ln u) or √(−2 ln u)/2, fails the variance many times over)."""
    z = complex_normal((400_000,), np.random.default_rng(1))
    for part in (z.real.astype(float), z.imag.astype(float)):
        assert part.mean() == pytest.approx(0.0, abs=0.01)
        assert part.var() == pytest.approx(1.0, abs=0.01)
        assert np.mean(part**4) == pytest.approx(3.0, abs=0.05)
    assert np.mean(z.real.astype(float) * z.imag) == pytest.approx(0.0, abs=0.01)


def test_gate_controls_have_the_expectations_used_for_them():
    """The control variates of the sampled map are unbiased only if their expectations are exact:
    the paths' mean of every gate control (unit.GATE_CONTROLS) matches the Gaussian integrals of
    stationary._expected_gate_controls within 4 standard errors, here with bias means, a static
    part and unequal tangent variances."""
    params = Parameters.make(3.0, 0.4, bias_means={"f": 1.0, "c": -0.3})
    tau = np.arange(32)
    rng = np.random.default_rng(2)
    root = params.gain_array[:, None] * spectrum(0.05 * np.exp(-0.3 * tau), 512)[None, :]
    root = with_static(root, params.gain_array**2 * 0.01 + params.sigma_b**2, 512)
    fields = sample(root, params.mean_array, 4000, 512, rng)
    tangent_root = np.array([0.5, 1.0, 1.5, 2.0])[:, None] * spectrum(np.exp(-0.5 * tau), 512)[None, :]
    tangent = sample(tangent_root, np.zeros(4), 4000, 512, rng)
    controls = unit.gate_controls(unit.gate_values(fields), tangent)
    expected = stationary._expected_gate_controls(params.mean_array, variance(root, 512), variance(tangent_root, 512))
    stderr = controls.std(axis=0, ddof=1) / np.sqrt(controls.shape[0])
    assert np.all(np.abs(controls.mean(axis=0) - expected) < 4 * stderr), (controls.mean(axis=0), expected, stderr)


def test_gate_statistics_are_gaussian_integrals_of_the_total_variance():
    params = Parameters.make(3.0, 0.4, bias_means={"f": 1.0})
    mean, std = gate_statistics(params, 0.05)
    z = np.random.default_rng(1).standard_normal(400_000)
    a_f = 1.0 + np.sqrt(9 * 0.05 + 0.16) * z
    f = 1 / (1 + np.exp(-a_f))
    assert mean[0] == pytest.approx(f.mean(), abs=2e-3) and std[0] == pytest.approx(f.std(), abs=2e-3)
    assert mean[1] == pytest.approx(0.5, abs=1e-14)


def test_bad_input_is_refused_before_work():
    with pytest.raises(InputError, match="g"):
        solve(-1.0, 0.0)
    with pytest.raises(InputError, match="sigma_b"):
        solve(3.0, -0.1)
    with pytest.raises(InputError, match="gate"):
        solve(3.0, 0.0, gate_gains={"x": 1.0})
    with pytest.raises(InputError, match="lags"):
        Options(lags=512, steps=1024)
    with pytest.raises(InputError, match="damping"):
        Options(damping=1.5)


# -- (d) convergence ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def reference():
    return solve(3.0, 0.0, **FAST)


def _agree(a, b, factor=3.0):
    """a and b agree within ``factor`` combined errors (statistical and residual) in C0 and λ_max."""
    c0_err = combined(a.C0_stderr, b.C0_stderr, a.C0_residual, b.C0_residual)
    lam_err = combined(a.lyapunov_max_stderr, b.lyapunov_max_stderr, a.lyapunov_residual, b.lyapunov_residual)
    assert abs(a.C0 - b.C0) < factor * c0_err, (a.C0, b.C0, c0_err)
    assert abs(a.lyapunov_max - b.lyapunov_max) < factor * lam_err, (a.lyapunov_max, b.lyapunov_max, lam_err)


@pytest.mark.slow
def test_converged_in_the_number_of_paths(reference):
    more = solve(3.0, 0.0, **{**FAST, "paths": 4 * FAST["paths"], "seed": 1})
    _agree(reference, more)


@pytest.mark.slow
def test_converged_in_the_lag_window(reference):
    wide = solve(3.0, 0.0, **{**FAST, "lags": 128, "steps": 2048, "seed": 2})
    _agree(reference, wide)
    assert abs(reference.window_decay) < 0.02 and abs(wide.window_decay) < 0.02


@pytest.mark.slow
def test_converged_in_the_iteration_count(reference):
    longer = solve(3.0, 0.0, **{**FAST, "coarse_tolerance": 0.002, "fine_iterations": 48, "seed": 3})
    _agree(reference, longer)
    assert reference.C0_residual < 3 * combined(reference.C0_stderr) + 1e-3 * reference.C0


def test_errors_are_reported_and_small(reference):
    s = reference
    assert s.regime == "chaotic" and s.status == "ok"
    assert 0 < s.C0_stderr < 5e-3 * s.C0  # FAST options: honest errors of ~2e-3
    assert 0 < s.lyapunov_max_stderr < 0.05 * s.lyapunov_max
    assert s.C_inf == pytest.approx(0.0, abs=5 * s.C0_stderr + 3e-4)
    assert np.allclose(s.gate_mean, 0.5, atol=1e-14)  # μ = 0, σ_b = 0: σ(−a) = 1 − σ(a)
    assert s.autocorr[0] == s.C0 and np.all(np.diff(s.autocorr[:20]) < 0)
    assert 0 < s.decay_rate < 1


@pytest.mark.slow
def test_reported_errors_cover_the_scatter_between_seeds():
    """Four solver seeds at g = 3: the scatter (sample standard deviation) of every output between
    the seeds is at most three times the error each run reports (root mean square over the runs).
    The first solver reported errors from one run's batches only and failed this by a factor ~7 in
    C0 (seed 0: 0.06409, seeds 1, 2: 0.06359, 0.06360, each ± 7e-5); the errors are now the scatter
    of independent replicas, with the drift of their inputs (C0_residual, lyapunov_residual)
    beside them. μ_o = 1 makes the output gate's mean depend on C0."""
    runs = [solve(3.0, 0.0, bias_means={"o": 1.0}, seed=seed, **FAST) for seed in range(4)]
    assert all(r.regime == "chaotic" and r.status == "ok" for r in runs), [r.status for r in runs]
    outputs = {
        "C0": ("C0", "C0_stderr"),
        "c_square": ("c_square", "c_square_stderr"),
        "lyapunov_max": ("lyapunov_max", "lyapunov_max_stderr"),
        "gate_mean": ("gate_mean", "gate_mean_stderr"),
        "gate_std": ("gate_std", "gate_std_stderr"),
        "lambda2": ("lambda2", "lambda2_stderr"),
    }
    for name, (value, error) in outputs.items():
        values = np.array([np.atleast_1d(getattr(r, value)) for r in runs])
        errors = np.array([np.atleast_1d(getattr(r, error)) for r in runs])
        drift = {"C0": "C0_residual", "c_square": "c_square_residual", "lyapunov_max": "lyapunov_residual"}
        if name in drift:  # the replicas' drift is reported beside the error
            errors = np.hypot(errors, np.array([[getattr(r, drift[name])] for r in runs]))
        if name == "gate_mean":  # f and i (μ = 0) are 1/2 by symmetry, to rounding: the o gate only
            values, errors = values[:, 2:], errors[:, 2:]
        scatter = values.std(axis=0, ddof=1)
        reported = np.sqrt(np.mean(errors**2, axis=0))
        assert np.all(reported > 0), name
        assert np.all(scatter < 3 * reported), (name, values, scatter, reported)


def test_grid_dataset_layout():
    ds = solve_grid([1.5, 3.0], [0.0], **{**FAST, "paths": 512, "batches": 2, "fine_iterations": 1})
    assert ds["C0"].dims == ("g", "sigma_b") and ds["autocorr"].dims == ("g", "sigma_b", "tau")
    assert ds["gate_std"].dims == ("g", "sigma_b", "gate") and list(ds["gate"].values) == ["f", "i", "o"]
    assert list(ds["regime"].values.ravel()) == ["fixed_point", "chaotic"]
    assert ds["g_c"].sel(sigma_b=0.0).item() == pytest.approx(2.0, abs=1e-8)
    assert ds["lyapunov_max"].attrs["units"] == "1" and "config" in ds.attrs
    assert ds["lambda2"].sel(g=3.0).item() == pytest.approx(ds["decay_rate"].sel(g=3.0).item() ** 2)
    assert np.isnan(ds["lambda2"].sel(g=1.5).item())  # the fixed point's C_h does not decay
    for name in ds.variables:
        assert "units" in ds[name].attrs or name in ("gate",), name


# -- (c) against the project's own simulations, extrapolated in 1/N ---------------------------------------
def _latest_extrapolation():
    files = sorted(RESULTS.glob("*-lstm-finite-size.json"))
    if not files:
        pytest.skip("no recorded finite-size extrapolation (run python -m benchmarks.lstm_finite_size)")
    return json.loads(files[-1].read_text())["results"]


@pytest.mark.slow
@pytest.mark.parametrize("g", [2.5, 3.0, 4.0])
def test_theory_inside_the_extrapolated_simulations(g):
    """Theory at σ_b = 0 against the 1/N extrapolation (N = 500, 1000, 2000, 4000; 8/6/4/2 seeds;
    float32, 3000 steps after 500) recorded by benchmarks/lstm_finite_size.py. The recorded
    extrapolations (benchmarks/results/20261130-1129-lstm-finite-size.md) are:

        g = 2.5: λ_max = 0.0363 ± 0.0007, C0 = 0.0368 ± 0.0003, gate_std = 0.1139 ± 0.0003
        g = 3.0: λ_max = 0.0753 ± 0.0004, C0 = 0.0640 ± 0.0003, gate_std = 0.1688 ± 0.0003
        g = 4.0: λ_max = 0.1427 ± 0.0004, C0 = 0.0988 ± 0.0002, gate_std = 0.2433 ± 0.0001

    and the theory at the solver's defaults (5 replicas; errors: replica scatter) gives g = 2.5:
    λ_max = 0.0362 ± 0.0001, C0 = 0.03708 ± 0.00003, gate_std = 0.1142; g = 3.0: λ_max = 0.0755
    ± 0.0001, C0 = 0.06413 ± 0.00002, gate_std = 0.1689; g = 4.0: λ_max = 0.1433 ± 0.0002,
    C0 = 0.09864 ± 0.00001, gate_std = 0.2432 (gate_std of the forget gate; docs/meanfield-lstm.md
    §9). The test runs the cheaper FAST options.

    The theory must lie within two combined standard errors (simulation extrapolation and theory)."""
    recorded = _latest_extrapolation()[str(g)]
    theory = solve(g, 0.0, **FAST)
    values = {
        "lyapunov_max": (theory.lyapunov_max, combined(theory.lyapunov_max_stderr, theory.lyapunov_residual)),
        "C0": (theory.C0, combined(theory.C0_stderr, theory.C0_residual)),
        "gate_std": (float(theory.gate_std.mean()), float(theory.gate_std_stderr.mean())),
    }
    for name, (value, error) in values.items():
        sim = recorded[name]
        bound = 2 * combined(error, sim["extrapolated_stderr"])
        assert abs(value - sim["extrapolated"]) < bound, (name, value, sim["extrapolated"], bound)


def test_a_failed_sampled_solve_is_a_status_not_a_crash(monkeypatch):
    """One point whose sampled iteration breaks down (LinAlgError) is recorded with NaN values and a
    status naming the failure, so a grid job over many points still finishes."""
    from eoc.meanfield.lstm import solution

    def broken(*args, **kwargs):
        raise np.linalg.LinAlgError("SVD did not converge")

    monkeypatch.setattr(solution, "solve_stationary", broken)
    grid = solve_grid([1.0, 3.0], [0.0], progress=False)
    assert grid.status.sel(g=1.0).item() == "ok"  # below onset: no sampling needed
    assert grid.status.sel(g=3.0).item() == "sampled iteration failed: SVD did not converge"
    assert np.isnan(grid.lyapunov_max.sel(g=3.0)).all() and np.isnan(grid.autocorr.sel(g=3.0)).all()
