"""The LSTM's N = ∞ mean-field theory (dmft_lstm.nc, :mod:`eoc.meanfield.lstm`) against simulations.

These figures decide the draft's Theorems 1–2 (gates concentrate at 1/2 as N → ∞): at N = ∞ the
gate pre-activation of a unit is N(μ_x, σ_x² C_h(0) + σ_b²), so the gate spread over units and
time is zero only at the zero state (C_h(0) = 0, σ_b = 0). In the chaotic phase C_h(0) > 0 and the
spread stays finite at N = ∞; the simulations' ``gate_std`` must approach that value, not zero.

The fourth, :func:`lstm_lyapunov_vs_lambda2`, answers the draft's question of how λ_max relates to
the correlation decay rate for the LSTM itself: its λ_max against its own κ² (the discrete-time
analogue of the rate model's λ², docs/meanfield-lstm.md §7).

Every function takes ``dmft_lstm`` (the merged LSTM theory, or None) besides the two merged files;
without it the theory curves are left out and a note says so.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
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


def _draw_simulations(ax, measured: xr.DataArray) -> None:
    """Seed means ± standard errors of ``measured`` against g, one colour per N (at most four N)."""
    sizes = _sizes(measured)
    for color, size in zip(style.colors(len(sizes)), sizes, strict=True):
        stats = analysis.seed_statistics(measured.sel(N=size))
        ax.errorbar(
            measured["g"].values, stats["mean"].values, yerr=stats["stderr"].values,
            fmt="o", color=color, ms=2.5, lw=0.6, label=f"$N = {size}$",
        )  # fmt: skip


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
            _draw_simulations(ax, measured.sel(gate=gate))
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
        _draw_simulations(ax, measured)
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


def _simulated_decay(simulations: xr.Dataset | None) -> tuple[xr.DataArray, xr.DataArray, xr.DataArray] | None:
    """(κ² per step², λ_max, its error) of the LSTM simulations over (g, sigma_b): κ² from the
    seed-mean autocorr at the largest N with data, by the solver's own estimator
    (:func:`eoc.meanfield.lstm.stationary.decay_rate`); λ_max extrapolated to N → ∞ where two or
    more N have data, else at the largest N. None without LSTM autocorr or λ_max."""
    from eoc.meanfield.lstm.stationary import decay_rate

    autocorr = data.variable(simulations, "autocorr", model="lstm")
    lyapunov = data.variable(simulations, "lyapunov_max", model="lstm")
    if autocorr is None or lyapunov is None:
        return None
    sizes = [n for n in autocorr["N"].values if autocorr.sel(N=n).notnull().any()]
    curves = autocorr.sel(N=sizes[-1]).mean("seed", skipna=True).transpose("g", "sigma_b", "lag")
    kappa = np.apply_along_axis(decay_rate, -1, curves.values)
    kappa2 = xr.DataArray(kappa**2, coords={"g": curves["g"], "sigma_b": curves["sigma_b"]}, dims=("g", "sigma_b"))
    if lyapunov["N"].size >= 2:
        limit = analysis.extrapolate_infinite_size(lyapunov)
        value, error = limit["value"], limit["stderr"]
    else:
        stats = analysis.seed_statistics(lyapunov.isel(N=-1))
        value, error = stats["mean"], stats["stderr"]
    return kappa2, value.transpose("g", "sigma_b"), error.transpose("g", "sigma_b")


@style.styled
def lstm_lyapunov_vs_lambda2(
    simulations: xr.Dataset | None,
    dmft: xr.Dataset | None,
    *,
    dmft_lstm: xr.Dataset | None = None,
) -> Figure:
    """The LSTM's λ_max (per step) against its own squared correlation decay rate κ² (per step²,
    docs/meanfield-lstm.md §7), over the (g, σ_b) grid coloured by σ_b: the N = ∞ theory at its
    chaotic points with status ok (dots joined along g at each σ_b, ±1 standard error bars), and
    the simulations (squares: κ² of the seed-mean autocorr at the largest N, λ_max extrapolated
    to N → ∞)."""
    data.check(simulations, dmft)
    figure, ax = style.new_figure(height=3.2)
    ax.set_xlabel(r"$\kappa^2$ of the LSTM's connected $C_h(\tau)$ (1/step$^2$)")
    ax.set_ylabel(r"$\lambda_{\max}$ of the LSTM (1/step)")
    ax.axhline(0.0, color="0.7", lw=0.5)
    notes = []
    theory = None
    if dmft_lstm is not None and {"lambda2", "lyapunov_max"} <= set(dmft_lstm.variables):
        ok = (dmft_lstm["regime"] == "chaotic") & (dmft_lstm["status"] == "ok") if "status" in dmft_lstm else True
        theory = dmft_lstm[["lambda2", "lyapunov_max"]].where(ok)
        if not np.isfinite(theory["lambda2"].values).any():
            theory = None
    simulated = _simulated_decay(simulations)
    biases = [] if theory is None else list(dmft_lstm["sigma_b"].values)
    biases += [] if simulated is None else list(simulated[0]["sigma_b"].values)
    norm = Normalize(min(biases, default=0.0), max(max(biases, default=1.0), 1e-9))
    cmap = colormaps[style.SEQUENTIAL]
    if theory is None:
        notes.append(_NO_THEORY if dmft_lstm is None else "theory: no chaotic point with status ok and lambda2")
    else:
        for sb in dmft_lstm["sigma_b"].values:
            x = theory["lambda2"].sel(sigma_b=sb).values
            y = theory["lyapunov_max"].sel(sigma_b=sb).values
            xerr = _error(dmft_lstm, "lambda2_stderr", sb, x)
            yerr = _error(dmft_lstm, "lyapunov_max_stderr", sb, y)
            keep = np.isfinite(x) & np.isfinite(y)
            if not keep.any():
                continue
            color = cmap(norm(sb))
            drawn = ax.errorbar(
                x[keep], y[keep], xerr=xerr[keep], yerr=yerr[keep], fmt=".-", color=color, ms=4, lw=0.8,
                elinewidth=0.5,
            )  # fmt: skip
            drawn.lines[0].set_gid(f"theory sigma_b={sb:g}")
        ax.plot([], [], "k.-", lw=0.8, label=r"theory $N = \infty$ (along $g$)")
    if simulated is None:
        notes.append("simulations: no LSTM autocorr and lyapunov_max")
    else:
        kappa2, value, error = simulated
        x, y, err = kappa2.values.ravel(), value.values.ravel(), error.values.ravel()
        sb = kappa2["sigma_b"].broadcast_like(kappa2).values.ravel()
        keep = np.isfinite(x) & np.isfinite(y) & (y > 0)
        if keep.any():
            ax.errorbar(x[keep], y[keep], yerr=np.nan_to_num(err[keep]), fmt="none", ecolor="0.4", elinewidth=0.6)
            ax.scatter(
                x[keep], y[keep], c=sb[keep], norm=norm, cmap=style.SEQUENTIAL, marker="s", s=14,
                edgecolors="k", linewidths=0.4, label=r"simulation ($\lambda_{\max}$: $N\to\infty$)", zorder=3,
            )  # fmt: skip
        notes.append(f"simulations: {int(keep.sum())} chaotic (g, σ_b) points with a decay rate")
    if ax.lines or ax.collections:
        figure.colorbar(ScalarMappable(norm=norm, cmap=style.SEQUENTIAL), ax=ax, label=r"bias $\sigma_b$", shrink=0.8)
        ax.legend(loc="upper left")
    else:
        style.empty_panel(ax, "no LSTM λ_max with a decay rate (theory or simulation)")
    style.footnote(figure, notes)
    return figure


def _error(ds: xr.Dataset, name: str, sigma_b, like: np.ndarray) -> np.ndarray:
    """``ds[name]`` at ``sigma_b`` as an array (zeros if absent; NaN as 0)."""
    if name not in ds:
        return np.zeros_like(like)
    return np.nan_to_num(ds[name].sel(sigma_b=sigma_b).values)
