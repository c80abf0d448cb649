"""eoc.analysis: status-aware averages, the N → ∞ extrapolation and the zero-crossing estimator on
synthetic data with a known answer."""

import numpy as np
import pytest
import xarray as xr

from eoc.analysis import (
    critical_gain,
    critical_gain_limit,
    extrapolate_infinite_size,
    fit_inverse_size,
    quenched_average,
    seed_statistics,
    usable,
    zero_crossing,
)
from eoc.errors import InputError
from eoc.status import EXCLUDED_BY_DEFAULT, SIMULATION

SIZES = np.array([64, 128, 256, 512, 1024])


def test_fit_recovers_exact_limit_without_noise():
    fit = fit_inverse_size(SIZES, 0.3 - 5.0 / SIZES)
    assert fit.value == pytest.approx(0.3, abs=1e-12)
    assert fit.slope == pytest.approx(-5.0, rel=1e-10)
    assert fit.stderr == pytest.approx(0.0, abs=1e-10)
    assert fit.sizes_used == SIZES.size


def test_fit_in_other_power_recovers_limit():
    fit = fit_inverse_size(SIZES, 1.0 + 2.0 / np.sqrt(SIZES), power=0.5)
    assert fit.value == pytest.approx(1.0, abs=1e-12)


def test_fit_uncertainty_from_seeds_is_calibrated():
    """Over many synthetic sweeps, (estimate − truth)/stderr has unit spread (a pull test)."""
    rng = np.random.default_rng(1)
    limit, slope, noise, seeds = 0.2, 3.0, 0.05, 8
    pulls = []
    for _ in range(400):
        samples = limit + slope / SIZES[:, None] + noise * rng.standard_normal((SIZES.size, seeds))
        fit = fit_inverse_size(SIZES, samples.mean(1), samples.std(1, ddof=1) / np.sqrt(seeds))
        pulls.append((fit.value - limit) / fit.stderr)
    pulls = np.array(pulls)
    assert abs(pulls.mean()) < 0.2
    assert 0.8 < pulls.std() < 1.3


def test_fit_skips_nan_sizes_and_gives_nan_when_unfit():
    means = 0.5 + 1.0 / SIZES
    means[[1, 3]] = np.nan
    fit = fit_inverse_size(SIZES, means)
    assert fit.value == pytest.approx(0.5, abs=1e-12)
    assert fit.sizes_used == 3
    alone = np.full(SIZES.shape, np.nan)
    alone[2] = 1.0
    assert np.isnan(fit_inverse_size(SIZES, alone).value)
    two = 0.5 + 1.0 / SIZES[:2]
    assert fit_inverse_size(SIZES[:2], two).value == pytest.approx(0.5)
    assert np.isnan(fit_inverse_size(SIZES[:2], two).stderr)


def test_fit_rejects_bad_power_and_shapes():
    with pytest.raises(InputError, match="power"):
        fit_inverse_size(SIZES, SIZES * 1.0, power=0)
    with pytest.raises(InputError, match="shape"):
        fit_inverse_size(SIZES, SIZES[:3] * 1.0)


def _sweep(limit, slope, noise, seeds, rng):
    """A (sigma_b, N, seed) array of a + b/N + noise, the sigma_b axis carrying different limits."""
    values = (
        np.asarray(limit)[:, None, None]
        + slope / SIZES[None, :, None]
        + noise * rng.standard_normal((len(limit), SIZES.size, seeds))
    )
    return xr.DataArray(
        values,
        dims=("sigma_b", "N", "seed"),
        coords={"sigma_b": [0.0, 0.5], "N": SIZES, "seed": np.arange(seeds)},
    )


def test_extrapolation_over_a_grid_with_missing_seeds_and_sizes():
    rng = np.random.default_rng(2)
    values = _sweep([0.1, -0.4], 2.0, 0.01, 6, rng)
    values[0, 2, :] = np.nan  # every seed of one size missing
    values[1, 4, :4] = np.nan  # most seeds of another size missing
    out = extrapolate_infinite_size(values)
    assert out["value"].dims == ("sigma_b",)
    np.testing.assert_allclose(out["value"], [0.1, -0.4], atol=4 * out["stderr"].values.max())
    assert out["sizes_used"].values.tolist() == [4, 5]
    assert np.all(out["stderr"] > 0)


def test_seed_statistics_standard_error():
    values = xr.DataArray([[1.0, 3.0, np.nan], [2.0, np.nan, np.nan]], dims=("N", "seed"))
    stats = seed_statistics(values)
    np.testing.assert_allclose(stats["mean"], [2.0, 2.0])
    assert stats["stderr"][0] == pytest.approx(np.sqrt(2.0) / np.sqrt(2.0))
    assert np.isnan(stats["stderr"][1])
    assert stats["count"].values.tolist() == [2, 1]


def test_zero_crossing_of_a_line_is_exact_with_unsorted_input_and_gaps():
    g = np.array([3.0, 1.0, 2.5, 1.5, 2.0, 0.5])
    y = 0.3 * (g - 2.2)
    y[4] = np.nan  # the grid point just below the root is missing
    root, _ = zero_crossing(g, y)
    assert root == pytest.approx(2.2)


def test_zero_crossing_takes_the_upward_crossing_and_exact_zero():
    x = np.linspace(0.0, 4.0, 9)
    assert zero_crossing(x, x - 2.0)[0] == pytest.approx(2.0)
    assert np.isnan(zero_crossing(x, 1.0 - x)[0])  # only a downward crossing
    assert np.isnan(zero_crossing(x, x + 1.0)[0])
    assert np.isnan(zero_crossing(x, np.full_like(x, np.nan))[0])


def test_zero_crossing_error_matches_monte_carlo():
    rng = np.random.default_rng(3)
    x = np.array([1.0, 2.0, 3.0])
    y = np.array([-0.4, -0.1, 0.3])
    s = np.array([0.02, 0.03, 0.02])
    _, stderr = zero_crossing(x, y, s)
    roots = [zero_crossing(x, y + s * rng.standard_normal(3))[0] for _ in range(4000)]
    assert stderr == pytest.approx(np.nanstd(roots), rel=0.1)


def test_critical_gain_over_sizes_and_seeds():
    rng = np.random.default_rng(4)
    g = np.linspace(1.0, 3.0, 9)
    sizes = np.array([100, 400])
    g_c = 2.0 + 10.0 / sizes  # the crossing drifts with N
    values = 0.2 * (g[:, None, None] - g_c[None, :, None]) + 0.002 * rng.standard_normal((g.size, sizes.size, 5))
    lyap = xr.DataArray(values, dims=("g", "N", "seed"), coords={"g": g, "N": sizes})
    lyap[:, 0, :] = lyap[:, 0, :].where(lyap.g != 2.0)  # a missing gain at one size
    out = critical_gain(lyap)
    np.testing.assert_allclose(out["g_c"], g_c, atol=5 * out["g_c_stderr"].values.max())
    assert np.all(out["g_c_stderr"] < 0.05)


def test_critical_gain_limit_recovers_the_infinite_size_gain_per_bias_mean():
    """g_c(N) = g_c + a/N with g_c and a per mu_f: the fit of the crossings returns g_c within its
    error, and the error is the one a Monte-Carlo over the seeds' noise gives."""
    rng = np.random.default_rng(5)
    g = np.linspace(1.0, 3.0, 11)
    sizes = np.array([128, 256, 512, 1024])
    mu_f = np.array([0.0, 1.0])
    limit = np.array([2.0, 1.4])  # per mu_f
    g_c = limit[None, :] + np.array([60.0, 30.0])[None, :] / sizes[:, None]  # (N, mu_f)

    def draw():
        noise = 0.004 * rng.standard_normal((g.size, sizes.size, mu_f.size, 4))
        values = 0.3 * (g[:, None, None, None] - g_c[None, :, :, None]) + noise
        return xr.DataArray(values, dims=("g", "N", "mu_f", "seed"), coords={"g": g, "N": sizes, "mu_f": mu_f})

    out = critical_gain_limit(draw())
    assert out["g_c"].dims == ("mu_f",) and out["g_c_N"].dims == ("N", "mu_f")
    np.testing.assert_allclose(out["g_c"], limit, atol=4 * out["g_c_stderr"].values.max())
    np.testing.assert_allclose(out["g_c_N"], g_c, atol=5 * out["g_c_N_stderr"].values.max())
    assert (out["sizes_used"] == 4).all() and np.all(out["g_c_stderr"] < 0.05)
    assert np.isfinite(out["chi2_per_dof"]).all()
    spread = np.std([critical_gain_limit(draw())["g_c"].values for _ in range(200)], axis=0)
    # the fit's own error (before the χ² scale factor) is the scatter of the limit over realisations
    unscaled = out["g_c_stderr"] / np.sqrt(np.fmax(out["chi2_per_dof"], 1.0))
    np.testing.assert_allclose(unscaled, spread, rtol=0.35)


def test_fit_reports_chi_square_of_the_scatter_about_the_line():
    sizes = np.array([128.0, 256.0, 512.0, 1024.0])
    on_line = 2.0 + 30.0 / sizes
    errors = np.full(4, 0.01)
    assert fit_inverse_size(sizes, on_line, errors).chi2_per_dof == pytest.approx(0.0, abs=1e-12)
    zigzag = on_line + np.array([0.05, -0.05, 0.05, -0.05])  # 5 errors off the line, alternating
    fit = fit_inverse_size(sizes, zigzag, errors)
    assert fit.chi2_per_dof > 10 and np.isnan(fit_inverse_size(sizes[:2], on_line[:2], errors[:2]).chi2_per_dof)


def _cells(statuses):
    """Values 1, 2, 3, ... over seeds at two gains, with the given status of each seed at g = 1."""
    values = xr.DataArray(
        np.arange(1.0, 2 * len(statuses) + 1).reshape(2, -1),
        dims=("g", "seed"),
        coords={"g": [1.0, 2.0], "seed": range(len(statuses))},
    )
    status = xr.DataArray(
        np.array([list(statuses), ["chaotic"] * len(statuses)]), dims=("g", "seed"), coords=values.coords
    )
    return values, status


def test_quenched_average_keeps_fixed_points_and_limit_cycles_and_drops_diverged_and_missing():
    values, status = _cells(["chaotic", "fixed_point", "limit_cycle", "undecided", "diverged", "missing"])
    average = quenched_average(values, status)
    assert average["mean"].sel(g=1.0).item() == pytest.approx(np.mean([1, 2, 3, 4]))
    assert average["count"].sel(g=1.0).item() == 4 and average["count"].sel(g=2.0).item() == 6
    counts = average["status_count"].sel(g=1.0)
    assert counts.sel(status="diverged").item() == 1 and counts.sel(status="limit_cycle").item() == 1
    assert int(counts.sum()) == 6 and counts.sel(status="unreadable").item() == 0
    assert set(average.attrs["counted_statuses"].split()) == set(SIMULATION) - set(EXCLUDED_BY_DEFAULT)


def test_quenched_average_with_chosen_statuses():
    values, status = _cells(["chaotic", "fixed_point", "limit_cycle", "diverged"])
    chaotic_only = quenched_average(values, status, include=["chaotic"])
    assert chaotic_only["mean"].sel(g=1.0).item() == 1.0 and chaotic_only["count"].sel(g=1.0).item() == 1
    everything = quenched_average(values, status, exclude=[])
    assert everything["mean"].sel(g=1.0).item() == pytest.approx(2.5)
    # exclude replaces the default list: the diverged realisation counts here
    np.testing.assert_array_equal(usable(values, status, exclude=["fixed_point"]).sel(g=1.0), [1.0, np.nan, 3.0, 4.0])
    with pytest.raises(InputError, match="status must be one of"):
        quenched_average(values, status, include=["ok"])
    with pytest.raises(InputError, match="exclude or include"):
        usable(values, status, include=["chaotic"], exclude=["diverged"])
