"""The LSTM phase-diagram figure on the contract's look-alike datasets (tests/test_figures.py)."""

import matplotlib
import numpy as np
import pytest
from test_figures import figure_text, knock_out, merged_dmft, merged_simulations, render

from eoc.figures.lstm_phase import linear_criterion, lstm_phase_diagram

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
