"""The figures of the paper and of the report, drawn from the two merged files only.

Every figure function has the signature ``name(simulations, dmft, *, options) -> Figure`` with
``simulations`` and ``dmft`` the merged datasets (``xarray.open_dataset`` of
``results/merged/simulations.nc`` and ``results/merged/dmft.nc``, either may be None), so a notebook
redraws any figure with the same call the pipeline makes. Missing cells are drawn as gaps and
listed under the axes; a missing model, variable or file leaves a panel that says so.
"""

from __future__ import annotations

import os
from pathlib import Path

import xarray as xr

from eoc.figures.autocorrelation import autocorrelation
from eoc.figures.chaos import lyapunov_vs_lambda2, phase_diagram
from eoc.figures.data import check
from eoc.figures.finite_size import critical_gain, finite_size_scaling
from eoc.figures.gates import gate_statistics
from eoc.figures.jacobian import jacobian_eigenvalues, jacobian_radius
from eoc.figures.mean_field import fixed_point_map, fixed_point_map_bias, lambda2_heatmaps
from eoc.figures.style import save

FIGURES = {
    "fixed_point_map": fixed_point_map,
    "fixed_point_map_bias": fixed_point_map_bias,
    "lambda2_heatmaps": lambda2_heatmaps,
    "finite_size_scaling": finite_size_scaling,
    "critical_gain": critical_gain,
    "lyapunov_vs_lambda2": lyapunov_vs_lambda2,
    "phase_diagram": phase_diagram,
    "jacobian_radius": jacobian_radius,
    "jacobian_eigenvalues": jacobian_eigenvalues,
    "gate_statistics": gate_statistics,
    "autocorrelation": autocorrelation,
}
"""Every figure, by the file name it is saved under (the list of workflow/rules/figures.smk)."""


def draw_all(
    simulations: xr.Dataset | None, dmft: xr.Dataset | None, outdir: str | os.PathLike
) -> list[Path]:
    """Draw every figure of :data:`FIGURES` with its default options; write PNG and PDF files to
    ``outdir``; return their paths."""
    check(simulations, dmft)
    paths = []
    for name, draw in FIGURES.items():
        paths += save(draw(simulations, dmft), outdir, name)
    return paths


__all__ = ["FIGURES", "draw_all", *FIGURES]
