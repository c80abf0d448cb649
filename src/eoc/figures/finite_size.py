"""Finite-size scaling figures: observables against 1/N with their N → ∞ extrapolation, and the
finite-size critical gain g_c(N) from the zero crossing of λ_max(g).

Seeds give the error bars (standard error of the mean); the extrapolation is the fit
m(N) = a + b/N of :mod:`eoc.analysis`, drawn as a line and as an open symbol at 1/N = 0;
the DMFT value of the rate model (a star at 1/N = 0) stands beside it. The LSTM's exponent is per
step and the rate model's per unit t, so the two models get separate columns.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from eoc import analysis, validation
from eoc.figures import data, style

ROWS = (
    ("lyapunov_max", r"$\lambda_{{max}}$ ({unit})", "lyapunov_max"),
    ("C0", r"$C_0$", "C0"),
    ("gate_std", "gate spread (std)", None),
    ("tau_corr", r"$\tau_{{corr}}$ ({lag})", None),
)
"""(simulation variable, axis label, DMFT counterpart of the rate model)."""


@style.styled
def finite_size_scaling(
    simulations: xr.Dataset | None,
    dmft: xr.Dataset | None,
    *,
    g: float = 3.0,
    sigma_b: float = 0.0,
    power: float = 1.0,
) -> Figure:
    """λ_max, C0, the gate spread and τ_corr against 1/N at the grid point nearest (g, σ_b), one
    column per model, with seed error bars, the fit a + b N^(-power) (default 1/N), its N → ∞ value
    and the DMFT value."""
    data.check(simulations, dmft)
    gain = data.nearest(simulations, "g", g)
    bias = data.nearest(simulations, "sigma_b", validation.nonnegative("sigma_b", sigma_b))
    power = validation.positive("power", power)
    figure, axes = style.new_figure(nrows=len(ROWS), ncols=len(data.MODELS), height=5.6, sharex=True)
    notes = [f"g = {gain:g}, σ_b = {bias:g}" if gain is not None else "no simulations"]
    for col, model in enumerate(data.MODELS):
        axes[0, col].set_title(style.MODEL_LABEL[model])
        drawn = []
        for row, (name, label, counterpart) in enumerate(ROWS):
            ax = axes[row, col]
            values = data.variable(simulations, name, model=model, g=gain, sigma_b=bias)
            ax.set_ylabel(label.format(unit=style.LYAPUNOV_UNIT[model], lag=style.LAG_UNIT[model]))
            if values is None:
                style.empty_panel(ax, f"no {name} for the {style.MODEL_LABEL[model]}")
                continue
            drawn.append(values)
            if "gate" in values.dims:
                for gate, color in zip(values["gate"].values, style.colors(values.sizes["gate"]), strict=True):
                    _draw_scaling(
                        ax,
                        values.sel(gate=gate),
                        power=power,
                        color=color,
                        label=style.GATE_LABEL.get(str(gate), str(gate)),
                        fit_label=None,
                    )
                ax.legend(loc="best")
            else:
                _draw_scaling(ax, values, power=power, color="C0", label="simulation")
            reference = None if model != "rate" or counterpart is None else data.variable(dmft, counterpart)
            if reference is not None:
                at = data.at_points(reference, [gain], [bias]).values.ravel()[0]
                offset = -0.04 * float(values["N"].min()) ** -power  # beside the N → ∞ symbol
                ax.plot([offset], [at], "*", color="C3", ms=6, label="DMFT", zorder=4)
        axes[-1, col].set_xlabel(r"$1/N$" if power == 1 else rf"$N^{{-{power:g}}}$")
        if drawn:
            status = data.variable(simulations, "status", model=model, g=gain, sigma_b=bias)
            notes += data.gap_note(model, data.union(*drawn), status)
    handles, labels = axes[0, 1].get_legend_handles_labels()
    handles0, labels0 = axes[0, 0].get_legend_handles_labels()
    merged = dict(zip(labels0 + labels, handles0 + handles, strict=True))
    if merged:
        figure.legend(merged.values(), merged.keys(), loc="outside upper center", ncols=3)
    style.footnote(figure, notes)
    return figure


def _draw_scaling(
    ax, values: xr.DataArray, *, power: float, color, label: str, fit_label: str | None = r"$N\to\infty$ fit"
) -> None:
    """Seed mean ± stderr against x = N^(-power), the fit a + b x and its N → ∞ value a ± stderr."""
    stats = analysis.seed_statistics(values)
    inverse = values["N"].values.astype(float) ** -power
    ax.errorbar(inverse, stats["mean"].values, yerr=stats["stderr"].values, fmt="o", color=color, label=label)
    fit = analysis.fit_inverse_size(values["N"].values, stats["mean"].values, stats["stderr"].values, power=power)
    if np.isfinite(fit.value):
        line = np.linspace(0.0, np.nanmax(inverse), 20)
        ax.plot(line, fit.value + fit.slope * line, color=color, lw=0.7)
        ax.errorbar(
            [0.0],
            [fit.value],
            yerr=[fit.stderr if np.isfinite(fit.stderr) else 0.0],
            fmt="s",
            mfc="white",
            color=color,
            label=fit_label,
        )
    ax.set_xlim(left=-0.08 * np.nanmax(inverse))


@style.styled
def critical_gain(
    simulations: xr.Dataset | None,
    dmft: xr.Dataset | None,
    *,
    sigma_b: float = 0.0,
) -> Figure:
    """g_c(N) from the zero crossing of the seed-averaged λ_max(g) at the grid bias nearest
    ``sigma_b``, against 1/N, per model, with its 1/N extrapolation and the mean-field g_c = 2
    (σ_b = 0) or the DMFT fixed-point boundary g_c(σ_b)."""
    data.check(simulations, dmft)
    bias = data.nearest(simulations, "sigma_b", validation.nonnegative("sigma_b", sigma_b))
    figure, ax = style.new_figure(height=2.4)
    notes = [f"σ_b = {bias:g}"] if bias is not None else []
    reference = 2.0
    boundary = data.variable(dmft, "g_c")
    if boundary is not None and bias is not None and bias > 0:
        reference = float(boundary.interp(sigma_b=bias)) if boundary.size > 1 else float(boundary)
    ax.axhline(reference, color="0.4", ls="--", lw=0.8, label=rf"mean field $g_c = {reference:.3g}$")
    drawn = False
    for index, model in enumerate(data.MODELS):
        color = f"C{index}"
        lyapunov = data.variable(simulations, "lyapunov_max", model=model, sigma_b=bias)
        if lyapunov is None:
            notes.append(f"{model}: no λ_max")
            continue
        notes += data.gap_note(model, lyapunov, data.variable(simulations, "status", model=model, sigma_b=bias))
        crossing = analysis.critical_gain(lyapunov)
        sizes = crossing["N"].values.astype(float)
        absent = sizes[~np.isfinite(crossing["g_c"].values)]
        if absent.size:
            notes.append(f"{model}: no sign change of λ_max at N = " + ", ".join(f"{n:g}" for n in absent))
        if absent.size == sizes.size:
            continue
        stderr = np.nan_to_num(crossing["g_c_stderr"].values)
        ax.errorbar(
            1.0 / sizes, crossing["g_c"].values, yerr=stderr, fmt="o", color=color, label=style.MODEL_LABEL[model]
        )
        fit = analysis.fit_inverse_size(sizes, crossing["g_c"].values, crossing["g_c_stderr"].values)
        if np.isfinite(fit.value):
            line = np.linspace(0.0, 1.0 / np.nanmin(sizes), 20)
            ax.plot(line, fit.value + fit.slope * line, color=color, lw=0.7)
            ax.errorbar([0.0], [fit.value], yerr=[np.nan_to_num(fit.stderr)], fmt="s", mfc="white", color=color)
            notes.append(f"{model}: g_c(N→∞) = {fit.value:.3f} ± {fit.stderr:.3f}")
        drawn = True
    if not drawn:
        style.empty_panel(ax, "no zero crossing of λ_max(g) at any N")
    _inverse_size_axis(ax, simulations)
    ax.set_ylabel(r"critical gain $g_c(N)$")
    ax.legend(loc="best")
    style.footnote(figure, notes)
    return figure


def _inverse_size_axis(ax, simulations) -> None:
    """x = 1/N from 0 with a little room, in units of 10⁻³ (offset-free), and the simulated N named
    on a secondary axis at the top, so the points near 1/N = 0 can be told apart."""
    ax.set_xlabel(r"$1/N$ ($10^{-3}$)")
    ax.xaxis.set_major_formatter(lambda x, _: f"{1e3 * x:g}")
    sizes = [] if simulations is None or "N" not in simulations.coords else simulations["N"].values.astype(float)
    if len(sizes):
        ax.set_xlim(-0.08 / np.min(sizes), 1.08 / np.min(sizes))
        top = ax.secondary_xaxis("top")
        top.set_xticks(1.0 / np.asarray(sizes), [f"{n:g}" for n in sizes], rotation=90)
        top.set_xlabel("N")
