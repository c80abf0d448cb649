"""Forecasting NRMSE of the LSTM reservoir against the gain, per σ_b, with the linear criterion's g_c.

One row per system (Lorenz-63, Mackey–Glass), columns one-step and free-run NRMSE; each σ_b one
colour (seed mean, error bar: the seeds' standard deviation, largest N), and a dotted vertical
line of the same colour at g_c(σ_b) of the LSTM's linear-stability criterion (zero bias means,
:mod:`eoc.meanfield.lstm_fixed_point`). The merged forecasting file is results/merged/forecast.nc.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from eoc.figures import style
from eoc.figures.lstm_phase import linear_criterion

TITLES = {"lorenz63": "Lorenz-63", "mackey_glass": r"Mackey–Glass $\tau=17$"}
QUANTITIES = (("nrmse_one_step", "one-step NRMSE"), ("nrmse_free_run", "free-run NRMSE"))


@style.styled
def forecast_nrmse(forecast: xr.Dataset | None) -> Figure:
    """NRMSE against g per σ_b with g_c(σ_b) marked (module docstring)."""
    systems = [] if forecast is None else list(forecast["system"].values)
    rows = max(len(systems), 1)
    figure, axes = style.new_figure(nrows=rows, ncols=2, height=2.2 * rows)
    axes = np.asarray(axes).reshape(rows, 2)
    if not systems:
        style.empty_panel(axes[0, 0], "no forecasting results")
        return figure
    biases = forecast["sigma_b"].values
    g_c = linear_criterion(tuple(float(b) for b in biases), ())
    largest = forecast.sel(N=forecast["N"].max())
    for row, system in enumerate(systems):
        for column, (name, label) in enumerate(QUANTITIES):
            ax = axes[row, column]
            values = largest[name].sel(system=system)
            for k, bias in enumerate(biases):
                cell = values.sel(sigma_b=bias)
                ax.errorbar(
                    cell["g"].values,
                    cell.mean("seed").values,
                    yerr=np.nan_to_num(cell.std("seed").values),
                    marker="o",
                    ms=3,
                    color=f"C{k}",
                    label=rf"$\sigma_b={bias:g}$",
                )
                if np.isfinite(g_c[k]):
                    ax.axvline(g_c[k], color=f"C{k}", ls=":", lw=1)
            ax.set_yscale("log")
            ax.set_xlabel(r"gain $g$")
            ax.set_ylabel(label)
            ax.set_title(TITLES.get(system, system))
    axes[0, 0].legend()
    style.footnote(figure, [f"N = {int(largest['N'])}; dotted: linear criterion g_c(σ_b), zero bias means"])
    return figure
