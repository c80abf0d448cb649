"""The LSTM's N = ∞ mean-field theory (dmft_lstm.nc, :mod:`eoc.meanfield.lstm`) against simulations.

These figures decide the draft's Theorems 1–2 (gates concentrate at 1/2 as N → ∞): at N = ∞ the
gate pre-activation of a unit is N(μ_x, σ_x² C_h(0) + σ_b²), so the gate spread over units and
time is zero only at the zero state (C_h(0) = 0, σ_b = 0). In the chaotic phase C_h(0) > 0 and the
spread stays finite at N = ∞; the simulations' ``gate_std`` must approach that value, not zero.

Both functions take ``dmft_lstm`` (the merged LSTM theory, or None) besides the two merged files;
without it the theory curves are left out and a note says so.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from eoc import analysis, validation
from eoc.figures import data, style

_NO_THEORY = "no LSTM mean-field file (dmft_lstm.nc)"


def _theory(dmft_lstm: xr.Dataset | None, name: str, sigma_b: float) -> xr.DataArray | None:
    """Theory variable ``name`` at the theory grid's σ_b nearest ``sigma_b``, NaN where status is not ok."""
    if dmft_lstm is None or name not in dmft_lstm:
        return None
    bias = data.nearest(dmft_lstm, "sigma_b", sigma_b)
    values = dmft_lstm[name].sel(sigma_b=bias)
    if "status" in dmft_lstm:
        values = values.where(dmft_lstm["status"].sel(sigma_b=bias) == "ok")
    return values if np.isfinite(values.values).any() else None


def _draw_theory(ax, values: xr.DataArray, stderr: xr.DataArray | None, g_c: float | None) -> None:
    g = values["g"].values
    ax.plot(g, values.values, "k.-", lw=1.0, ms=4, label=r"theory $N = \infty$")  # dots: the solved grid
    if stderr is not None:
        ax.fill_between(g, (values - 2 * stderr).values, (values + 2 * stderr).values, color="0.8", lw=0)
    if g_c is not None and np.isfinite(g_c):
        ax.axvline(g_c, color="0.6", ls="--", lw=0.6)


def _onset(dmft_lstm: xr.Dataset | None, sigma_b: float) -> float | None:
    if dmft_lstm is None or "g_c" not in dmft_lstm:
        return None
    return float(dmft_lstm["g_c"].sel(sigma_b=data.nearest(dmft_lstm, "sigma_b", sigma_b)))


def _sizes(values: xr.DataArray, count: int = 4) -> list:
    return data.spread([n for n in values["N"].values if values.sel(N=n).notnull().any()], count)


@style.styled
def gate_spread_theory(
    simulations: xr.Dataset | None,
    dmft: xr.Dataset | None,
    *,
    dmft_lstm: xr.Dataset | None = None,
    sigma_b: float = 0.0,
) -> Figure:
    """Spread (std over units and time) of the f, i, o gates against g at the bias nearest
    ``sigma_b``: the N = ∞ theory (line, ±2 standard errors shaded) and the simulations' gate_std,
    one seed-averaged curve per N (at most four N)."""
    data.check(simulations, dmft)
    sigma_b = validation.nonnegative("sigma_b", sigma_b)
    bias = data.nearest(simulations, "sigma_b", sigma_b)
    measured = data.variable(simulations, "gate_std", model="lstm", sigma_b=bias) if bias is not None else None
    theory = _theory(dmft_lstm, "gate_std", sigma_b)
    theory_err = _theory(dmft_lstm, "gate_std_stderr", sigma_b)
    g_c = _onset(dmft_lstm, sigma_b)
    gates = ("f", "i", "o")
    figure, axes = style.new_figure(ncols=len(gates), height=2.8, sharey=True)
    for ax, gate in zip(axes.flat, gates, strict=True):
        ax.set_title(style.GATE_LABEL.get(gate, gate))
        ax.set_xlabel(r"gain $g$")
        if theory is None and measured is None:
            style.empty_panel(ax, "no LSTM gate spread (theory or simulation)")
            continue
        if theory is not None:
            _draw_theory(ax, theory.sel(gate=gate), None if theory_err is None else theory_err.sel(gate=gate), g_c)
        if measured is not None:
            sizes = _sizes(measured)
            for color, size in zip(style.colors(len(sizes)), sizes, strict=True):
                stats = analysis.seed_statistics(measured.sel(gate=gate, N=size))
                ax.errorbar(
                    measured["g"].values, stats["mean"].values, yerr=stats["stderr"].values,
                    fmt="o", color=color, ms=2.5, lw=0.6, label=f"$N = {size}$",
                )  # fmt: skip
    axes.flat[0].set_ylabel("gate spread (std over units, time)")
    notes = [f"LSTM, σ_b = {sigma_b:g}" + ("" if g_c is None else f"; dashed: onset g_c = {g_c:.3g}")]
    if theory is None:
        notes.append(_NO_THEORY if dmft_lstm is None else "theory: no point with status ok")
    status = data.variable(simulations, "status", model="lstm", sigma_b=bias) if bias is not None else None
    notes += data.gap_note("simulated gate_std", measured, status)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if handles:
        figure.legend(handles, labels, loc="outside upper center", ncols=min(len(labels), 5))
    style.footnote(figure, notes)
    return figure


@style.styled
def lyapunov_theory(
    simulations: xr.Dataset | None,
    dmft: xr.Dataset | None,
    *,
    dmft_lstm: xr.Dataset | None = None,
    sigma_b: float = 0.0,
) -> Figure:
    """λ_max of the LSTM (per step) against g at the bias nearest ``sigma_b``: the N = ∞ theory,
    the simulations at each N (seed means) and their 1/N extrapolation to N → ∞
    (:func:`eoc.analysis.extrapolate_infinite_size`, ±1 standard error)."""
    data.check(simulations, dmft)
    sigma_b = validation.nonnegative("sigma_b", sigma_b)
    bias = data.nearest(simulations, "sigma_b", sigma_b)
    measured = data.variable(simulations, "lyapunov_max", model="lstm", sigma_b=bias) if bias is not None else None
    theory = _theory(dmft_lstm, "lyapunov_max", sigma_b)
    theory_err = _theory(dmft_lstm, "lyapunov_max_stderr", sigma_b)
    figure, axes = style.new_figure(height=3.0)
    ax = axes.flat[0] if hasattr(axes, "flat") else axes
    ax.axhline(0.0, color="0.5", ls=":", lw=0.8)
    ax.set_xlabel(r"gain $g$")
    ax.set_ylabel(r"$\lambda_{\max}$ (per step)")
    notes = [f"LSTM, σ_b = {sigma_b:g}"]
    if theory is None and measured is None:
        style.empty_panel(ax, "no LSTM Lyapunov exponent (theory or simulation)")
    if theory is not None:
        _draw_theory(ax, theory, theory_err, _onset(dmft_lstm, sigma_b))
    else:
        notes.append(_NO_THEORY if dmft_lstm is None else "theory: no point with status ok")
    if measured is not None:
        sizes = _sizes(measured)
        for color, size in zip(style.colors(len(sizes)), sizes, strict=True):
            stats = analysis.seed_statistics(measured.sel(N=size))
            ax.errorbar(
                measured["g"].values, stats["mean"].values, yerr=stats["stderr"].values,
                fmt="o", color=color, ms=2.5, lw=0.6, label=f"$N = {size}$",
            )  # fmt: skip
        if measured["N"].size >= 2:
            limit = analysis.extrapolate_infinite_size(measured)
            ax.errorbar(
                measured["g"].values, limit["value"].values, yerr=limit["stderr"].values,
                fmt="s", mfc="none", color="C3", ms=4, lw=0.8, label=r"simulation $N \to \infty$ (1/N fit)",
            )  # fmt: skip
    status = data.variable(simulations, "status", model="lstm", sigma_b=bias) if bias is not None else None
    notes += data.gap_note("simulated lyapunov_max", measured, status)
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels)
    style.footnote(figure, notes)
    return figure


@style.styled
def autocorr_theory(
    simulations: xr.Dataset | None,
    dmft: xr.Dataset | None,
    *,
    dmft_lstm: xr.Dataset | None = None,
    sigma_b: float = 0.0,
    curves: int = 3,
) -> Figure:
    """C_h(τ) = <h(t)·h(t+τ)> of the LSTM (total, lag in steps) for up to ``curves`` chaotic gains
    of the theory grid at the bias nearest ``sigma_b``: the N = ∞ theory (lines) and the
    simulations' autocorr at the same g and the largest N with data (seed means ± stderr)."""
    data.check(simulations, dmft)
    sigma_b = validation.nonnegative("sigma_b", sigma_b)
    curves = validation.integer("curves", curves, minimum=1)
    theory = _theory(dmft_lstm, "autocorr", sigma_b)
    figure, axes = style.new_figure(height=3.0)
    ax = axes
    ax.set_xlabel(r"lag $\tau$ (steps)")
    ax.set_ylabel(r"$C_h(\tau)$")
    notes = [f"LSTM, σ_b = {sigma_b:g}"]
    if theory is None:
        notes.append(_NO_THEORY if dmft_lstm is None else "theory: no point with status ok")
        gains = [] if simulations is None else data.spread([float(x) for x in simulations["g"].values], curves)
    else:
        chaotic = dmft_lstm["regime"].sel(sigma_b=data.nearest(dmft_lstm, "sigma_b", sigma_b)) == "chaotic"
        ok = theory.notnull().all("tau") & chaotic
        gains = data.spread([float(x) for x in theory["g"].values[ok.values]], curves)
    bias = data.nearest(simulations, "sigma_b", sigma_b)
    measured = data.variable(simulations, "autocorr", model="lstm", sigma_b=bias) if bias is not None else None
    if not gains:
        style.empty_panel(ax, "no chaotic LSTM point (theory or simulation)")
    for color, g in zip(style.colors(len(gains)), gains, strict=True):
        if theory is not None:
            ax.plot(theory["tau"].values, theory.sel(g=g).values, "-", color=color, lw=1.2, label=f"$g = {g:g}$")
        if measured is None or g not in measured["g"].values:
            continue
        at_g = measured.sel(g=g)
        sizes = [n for n in at_g["N"].values if at_g.sel(N=n).notnull().any()]
        if not sizes:
            continue
        stats = analysis.seed_statistics(at_g.sel(N=sizes[-1]))
        ax.errorbar(
            at_g["lag"].values, stats["mean"].values, yerr=stats["stderr"].values,
            fmt="o", color=color, ms=2.5, lw=0.6, mfc="none",
        )  # fmt: skip
        notes.append(f"g = {g:g}: simulation at N = {sizes[-1]} (circles)")
    if measured is None:
        notes.append("simulated autocorr: no data")
    if theory is not None:
        ax.set_xlim(0, float(theory["tau"].max()))
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels)
    style.footnote(figure, notes)
    return figure
