"""The LSTM phase-diagram figure on the contract's look-alike datasets (tests/test_figures.py)."""

import matplotlib
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.container import ErrorbarContainer
from test_figures import figure_text, knock_out, merged_dmft, merged_simulations, render

from eoc.figures.lstm_phase import forget_means, linear_criterion, lstm_phase_diagram, measured_boundary

matplotlib.use("Agg")


def test_linear_criterion_limits():
    """σ_b = 0: g_c = 2 for zero means and 4 (1 − σ(μ_f)) with only a forget-gate mean (the disk
    |z − σ(μ_f)| ≤ g/4 reaches 1)."""
    zero, forget = linear_criterion((0.0, 0.5), ()), linear_criterion((0.0, 0.5), (("f", 1.0),))
    assert zero[0] == pytest.approx(2.0, rel=1e-6)
    assert forget[0] == pytest.approx(4 / (1 + np.e), rel=1e-6)
    assert forget[1] < zero[1]


def test_figure_draws_every_line_and_names_what_is_missing():
    sims = merged_simulations()
    figure = lstm_phase_diagram(sims, merged_dmft())
    render(figure)
    text = figure_text(figure)
    assert "linear criterion" in text and "measured" in text
    empty = lstm_phase_diagram(None, None)
    assert "no simulated" in figure_text(empty)
    gaps = lstm_phase_diagram(knock_out(sims, model="lstm", sigma_b=0.5), None)
    render(gaps)


def with_forget_means(sims):
    """The look-alike with a second forget-gate bias mean mu_f = 1 whose λ_max is larger (its
    crossing lower), as a merge over mu_f gives it."""
    biased = sims.copy(deep=True)
    biased["lyapunov_max"] = biased["lyapunov_max"] + 0.1
    return xr.concat([sims, biased], dim=pd.Index([0.0, 1.0], name="mu_f"))


def lstm_mean_field(biases=(0.0, 0.5, 1.0)):
    """A dmft_lstm.nc look-alike: g_c over sigma_b and the jobs' configuration."""
    return xr.Dataset(
        {"g_c": ("sigma_b", [2.0, 2.28, 2.2]), "job_config": ("job", ['{"bias_means": {}}'])},
        coords={"sigma_b": list(biases)},
    )


def test_measured_boundary_is_the_fit_of_the_crossings_per_forget_mean():
    sims = with_forget_means(merged_simulations())
    # look-alike: λ = (g/2 − 1)/2 − 1/N at σ_b = 0, so g_c(N) = 2 + 4/N and g_c(∞) = 2
    zero = measured_boundary(sims, 0.0)
    assert zero["g_c"].sel(sigma_b=0.0).item() == pytest.approx(2.0, abs=0.1)
    np.testing.assert_allclose(zero["g_c_N"].sel(sigma_b=0.0), 2 + 4 / zero["N"], atol=0.1)
    # μ_f = 1: λ + 0.1 crosses at g = 2(1 − 0.2 + 2/N): the limit 1.6
    assert measured_boundary(sims, 1.0)["g_c"].sel(sigma_b=0.0).item() == pytest.approx(1.6, abs=0.1)
    assert forget_means(sims) == (0.0, 1.0) and forget_means(merged_simulations()) == (0.0,)


def test_figure_draws_each_forget_mean_and_the_mean_field_onset():
    figure = lstm_phase_diagram(with_forget_means(merged_simulations()), None, dmft_lstm=lstm_mean_field())
    render(figure)
    text = figure_text(figure)
    assert r"\mu_f=+1" in text and r"\mu=0" in text and "mean field" in text
    bars = [c for c in figure.axes[0].containers if isinstance(c, ErrorbarContainer)]
    assert len(bars) == 2  # measured N → ∞ boundary for μ = 0 and μ_f = 1
    assert "no LSTM mean-field file" in figure_text(lstm_phase_diagram(merged_simulations(), None))
