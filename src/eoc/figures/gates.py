"""Gate statistics of the autonomous LSTM against g and N.

The draft's theorems 1–2 state that, as N → ∞ in the stable regime, the gates concentrate:
f, i, o → 1/2 (so A = f + i → 1 and α = i/A → 1/2). The simulations measure, per realisation, the
mean and the standard deviation over units and time of each gate. The figure shows both against g
at fixed σ_b, one line per N: concentration means mean → 1/2 and spread → 0 as N grows; a spread
that stays finite with N marks where the theorems fail (beyond g_c = 2, or with bias).
"""

from __future__ import annotations

import xarray as xr
from matplotlib.figure import Figure

from eoc import analysis, validation
from eoc.figures import data, style


@style.styled
def gate_statistics(
    simulations: xr.Dataset | None,
    dmft: xr.Dataset | None,
    *,
    sigma_b: float = 0.0,
) -> Figure:
    """Mean (top row) and spread (bottom row) of the forget, input and output gates against g at
    the grid bias nearest ``sigma_b``, one line per N, seed error bars."""
    data.check(simulations, dmft)
    bias = data.nearest(simulations, "sigma_b", validation.nonnegative("sigma_b", sigma_b))
    mean = data.variable(simulations, "gate_mean", model="lstm", sigma_b=bias)
    spread = data.variable(simulations, "gate_std", model="lstm", sigma_b=bias)
    gates = ("f", "i", "o") if mean is None else [str(x) for x in mean["gate"].values]
    figure, axes = style.new_figure(nrows=2, ncols=len(gates), height=3.2, sharex=True, sharey="row")
    status = data.variable(simulations, "status", model="lstm", sigma_b=bias)
    notes = [f"LSTM, σ_b = {bias:g}" if bias is not None else "no simulations"]
    for row, (values, label) in enumerate(((mean, "gate mean"), (spread, "gate spread (std)"))):
        axes[row, 0].set_ylabel(label)
        for col, gate in enumerate(gates):
            ax = axes[row, col]
            if row == 0:
                ax.set_title(style.GATE_LABEL.get(gate, gate))
                ax.axhline(0.5, color="0.5", ls=":", lw=0.8)
            ax.axvline(2.0, color="0.6", ls="--", lw=0.6)
            if values is None:
                style.empty_panel(ax, "no LSTM gate statistics")
                continue
            _draw_over_sizes(ax, values.sel(gate=gate))
    notes += data.gap_note("LSTM gates", data.union(mean, spread), status)
    for ax in axes[-1]:
        ax.set_xlabel(r"gain $g$")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    if handles:
        figure.legend(handles, labels, loc="outside upper center", ncols=min(len(labels), 4))
    style.footnote(figure, notes)
    return figure


def _draw_over_sizes(ax, values: xr.DataArray) -> None:
    """One seed-averaged curve against g per N that has data."""
    sizes = [n for n in values["N"].values if values.sel(N=n).notnull().any()]
    for color, size in zip(style.colors(len(sizes)), sizes, strict=True):
        stats = analysis.seed_statistics(values.sel(N=size))
        ax.errorbar(
            values["g"].values,
            stats["mean"].values,
            yerr=stats["stderr"].values,
            fmt="o-",
            color=color,
            lw=0.6,
            ms=2,
            label=f"$N = {size}$",
        )
