"""The figures of the paper and of the report, drawn from the two merged files only.

Every figure function has the signature ``name(simulations, dmft, *, options) -> Figure`` with
``simulations`` and ``dmft`` the merged datasets (``xarray.open_dataset`` of
``results/merged/simulations.nc`` and ``results/merged/dmft.nc``, either may be None), so a notebook
redraws any figure with the same call the pipeline makes. Missing cells are drawn as gaps and
listed under the axes; a missing model, variable or file leaves a panel that says so.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import xarray as xr
from matplotlib.figure import Figure as Figure_

from eoc.figures.autocorrelation import autocorrelation
from eoc.figures.chaos import lyapunov_vs_lambda2, phase_diagram
from eoc.figures.data import check
from eoc.figures.finite_size import critical_gain, finite_size_scaling
from eoc.figures.gates import gate_statistics
from eoc.figures.jacobian import jacobian_eigenvalues, jacobian_radius
from eoc.figures.lstm_phase import lstm_phase_diagram
from eoc.figures.lstm_theory import autocorr_theory, gate_spread_theory, lstm_lyapunov_vs_lambda2, lyapunov_theory
from eoc.figures.mean_field import fixed_point_map, fixed_point_map_bias, lambda2_heatmaps
from eoc.figures.style import save


@dataclass(frozen=True)
class Figure:
    """A figure function and the category it is listed under in the Snakemake report; calling it
    calls the function."""

    draw: Callable[..., Figure_]
    category: str
    #: True for figures that also draw the LSTM's N = ∞ theory (keyword ``dmft_lstm``, may be None)
    lstm_theory: bool = False

    def __call__(self, simulations: xr.Dataset | None, dmft: xr.Dataset | None, **options) -> Figure_:
        return self.draw(simulations, dmft, **options)


FIGURES = {
    "fixed_point_map": Figure(fixed_point_map, "Mean-field theory"),
    "fixed_point_map_bias": Figure(fixed_point_map_bias, "Mean-field theory"),
    "lambda2_heatmaps": Figure(lambda2_heatmaps, "Mean-field theory"),
    "finite_size_scaling": Figure(finite_size_scaling, "Finite-size scaling"),
    "critical_gain": Figure(critical_gain, "Finite-size scaling"),
    "lyapunov_vs_lambda2": Figure(lyapunov_vs_lambda2, "Chaos and correlations"),
    "phase_diagram": Figure(phase_diagram, "Chaos and correlations"),
    "lstm_phase_diagram": Figure(lstm_phase_diagram, "Linear stability", lstm_theory=True),
    "jacobian_radius": Figure(jacobian_radius, "Linear stability"),
    "jacobian_eigenvalues": Figure(jacobian_eigenvalues, "Linear stability"),
    "gate_statistics": Figure(gate_statistics, "LSTM gates"),
    "autocorrelation": Figure(autocorrelation, "Chaos and correlations"),
    "gate_spread_theory": Figure(gate_spread_theory, "LSTM gates", lstm_theory=True),
    "lyapunov_theory": Figure(lyapunov_theory, "Chaos and correlations", lstm_theory=True),
    "autocorr_theory": Figure(autocorr_theory, "Chaos and correlations", lstm_theory=True),
    "lstm_lyapunov_vs_lambda2": Figure(lstm_lyapunov_vs_lambda2, "Chaos and correlations", lstm_theory=True),
}
"""Every figure, by the file name it is saved under, with its report category: the one list, read
by workflow/rules/figures.smk (each needs a caption workflow/report/<name>.rst)."""


def draw_all(
    simulations: xr.Dataset | None,
    dmft: xr.Dataset | None,
    outdir: str | os.PathLike,
    *,
    dmft_lstm: xr.Dataset | None = None,
) -> list[Path]:
    """Draw every figure of :data:`FIGURES` with its default options; write PNG and PDF files to
    ``outdir``; return their paths. ``dmft_lstm``: the merged LSTM mean-field theory (or None),
    given to the figures that draw it."""
    check(simulations, dmft)
    paths = []
    for name, draw in FIGURES.items():
        extra = {"dmft_lstm": dmft_lstm} if draw.lstm_theory else {}
        paths += save(draw(simulations, dmft, **extra), outdir, name)
    return paths


__all__ = ["FIGURES", "Figure", "draw_all", *FIGURES]
