"""Autocorrelation curves C(τ) = <h(t)·h(t+τ)>/N (total, not connected): simulation against DMFT.

For the rate model the lag τ is continuous time t and the DMFT curve C(τ) (the solution of
(−∂τ² + 1/4) C = (g²/16) Q(C, C0) + σ_b²) is drawn beside the simulation. For the LSTM the lag is in
steps of a discrete map and there is no DMFT curve: the DMFT is the rate model's, and a step is not
a unit of the rate model's t.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from eoc import analysis, validation
from eoc.figures import data, style


@style.styled
def autocorrelation(
    simulations: xr.Dataset | None,
    dmft: xr.Dataset | None,
    *,
    sigma_b: float = 0.0,
    curves: int = 3,
) -> Figure:
    """C(τ) for up to ``curves`` gains at the grid bias nearest ``sigma_b``: seed mean ± stderr
    at the largest N with data, per model, and the DMFT curve for the rate model."""
    data.check(simulations, dmft)
    validation.nonnegative("sigma_b", sigma_b)
    curves = validation.integer("curves", curves, minimum=1)
    figure, axes = style.new_figure(nrows=2, height=4.2)
    notes = []
    source = simulations if simulations is not None else dmft
    bias = data.nearest(source, "sigma_b", sigma_b)
    gains = [] if source is None else data.spread([float(x) for x in source["g"].values], curves)
    palette = dict(zip(gains, style.colors(len(gains)), strict=True))
    for ax, model in zip(axes, ("rate", "lstm"), strict=True):
        ax.set_title(style.MODEL_LABEL[model])
        ax.set_xlabel(rf"lag $\tau$ ({style.LAG_UNIT[model]})")
        ax.set_ylabel(r"$C(\tau)$")
        curves_drawn = _draw_simulation(ax, simulations, model, bias, palette, notes)
        if model == "rate":
            curves_drawn += _draw_dmft(ax, dmft, bias, palette, notes)
        if not curves_drawn:
            style.empty_panel(ax, f"no C(τ) for the {style.MODEL_LABEL[model]}")
            continue
        handles = [Line2D([], [], color=c, label=f"$g = {g:g}$") for g, c in palette.items()]
        handles.append(Line2D([], [], color="0.3", marker="o", ms=2, lw=0, label="simulation"))
        if model == "rate":
            handles.append(Line2D([], [], color="0.3", ls="--", label="DMFT"))
        ax.legend(handles=handles, loc="best")
    notes.insert(0, f"σ_b = {bias:g}" if bias is not None else "no data")
    style.footnote(figure, notes)
    return figure


def _draw_simulation(ax, simulations, model, bias, palette, notes) -> int:
    """Seed-averaged C(τ) at the largest N with data for each gain in ``palette``."""
    drawn, used = 0, []
    for g, color in palette.items():
        if simulations is None or g not in simulations["g"].values:
            continue
        curve = data.variable(simulations, "autocorr", model=model, g=g, sigma_b=bias)
        if curve is None:
            notes.append(f"{model} g={g:g}: no C(τ)")
            continue
        sizes = [n for n in curve["N"].values if curve.sel(N=n).notnull().any()]
        size = max(sizes)
        stats = analysis.seed_statistics(curve.sel(N=size))
        lag, mean, err = curve["lag"].values, stats["mean"].values, stats["stderr"].values
        ax.plot(lag, mean, "o", color=color, ms=2)
        if np.isfinite(err).any():
            ax.fill_between(lag, mean - err, mean + err, color=color, alpha=0.25, lw=0)
        used.append(f"g={g:g}: N={size}, {int(stats['count'].max())} seeds")
        drawn += 1
    if used:
        notes.append(f"{model}: " + "; ".join(used))
    return drawn


def _draw_dmft(ax, dmft, bias, palette, notes) -> int:
    """The DMFT C(τ) of the rate model (τ ≥ 0) for each gain in ``palette`` that is on the DMFT
    grid (curves are not interpolated in g: across the transition that would invent a shape)."""
    curve = data.variable(dmft, "autocorr")
    if curve is None or bias is None:
        notes.append("DMFT: no C(τ)")
        return 0
    curve = curve.sel(sigma_b=data.nearest(dmft, "sigma_b", bias))
    drawn, absent = 0, []
    for g, color in palette.items():
        on_grid = np.isclose(curve["g"].values, g, rtol=0, atol=1e-9)
        values = curve.isel(g=int(np.argmax(on_grid)))
        keep = (values["tau"].values >= 0) & np.isfinite(values.values)
        if not on_grid.any() or not keep.any():
            absent.append(f"{g:g}")
            continue
        ax.plot(values["tau"].values[keep], values.values[keep], "--", color=color)
        drawn += 1
    if absent:
        notes.append("DMFT: no C(τ) at g = " + ", ".join(absent))
    return drawn
