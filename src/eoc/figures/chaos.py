"""Chaos against correlations over the (g, σ_b) plane: λ_max versus λ², and the phase diagram.

* λ_max against λ²: the DMFT's maximal exponent and the simulations' N → ∞ extrapolation of λ_max
  (fit in 1/N, error from seeds) against the DMFT decay rate λ² at the same (g, σ_b), with the
  continuum bound λ_max ≥ −1/2 + √(1/4 − λ²) of the rate model (λ² ≤ 1/4), and the onset branch
  (λ_max > 0) on log–log axes with the DMFT's ratios λ_max/λ² → 3 (σ_b = 0), 1.25 (σ_b > 0). The LSTM is a
  discrete-time map with its biases inside the gates: its exponent (1/step) is not the rate
  model's (1/t) and is drawn in its own panel, against the rate model's λ² only as a coordinate.
* The rate model's phase diagram in (σ_b, g): the fixed-point boundary g_c(σ_b) (DMFT file), the
  λ_max = 0 line of the DMFT (per σ_b, the root in g of the DMFT λ_max: :func:`dmft_chaos_onset`)
  and of the simulations (zero crossing in g of the extrapolated λ_max, per σ_b). The LSTM's own
  diagram (:mod:`eoc.figures.lstm_phase`) shades, with :func:`_draw_gate_concentration`, the grid
  points where its gates concentrate at 1/2 (every gate's seed-mean satisfies |mean − 1/2| < tol
  and spread < tol at the largest N with data).
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from eoc import analysis
from eoc.figures import data, style


def _extrapolated_lyapunov(simulations, model):
    """N → ∞ value and stderr of λ_max over (g, sigma_b) for ``model``, or None."""
    lyapunov = data.variable(simulations, "lyapunov_max", model=model)
    if lyapunov is None:
        return None
    return analysis.extrapolate_infinite_size(lyapunov).transpose("g", "sigma_b")


@style.styled
def lyapunov_vs_lambda2(simulations: xr.Dataset | None, dmft: xr.Dataset | None) -> Figure:
    """λ_max against λ² over the whole (g, σ_b) grid, rate model (with the DMFT and the continuum
    bound) and LSTM (per step) in separate panels, coloured by σ_b."""
    data.check(simulations, dmft)
    figure, (*axes, onset) = style.new_figure(nrows=3, height=6.6)
    axes[0].sharex(axes[1])
    lambda2 = data.variable(dmft, "lambda2")
    biases = [] if simulations is None else list(simulations["sigma_b"].values)
    biases += [] if dmft is None else list(dmft["sigma_b"].values)
    norm = Normalize(min(biases, default=0.0), max(max(biases, default=1.0), 1e-9))
    notes = []
    for ax, model in zip(axes, ("rate", "lstm"), strict=True):
        unit = style.LYAPUNOV_UNIT[model]
        ax.set_title(
            "rate model (DMFT and simulation)" if model == "rate" else "LSTM: exponent per step, not the rate model's"
        )
        ax.set_ylabel(rf"$\lambda_{{max}}$, {style.MODEL_LABEL[model]} ({unit})")
        ax.axhline(0.0, color="0.7", lw=0.5)
        if lambda2 is None:
            style.empty_panel(ax, "no λ² in the DMFT file: nothing to place the points on")
            continue
        if model == "rate":
            _draw_dmft_and_bound(ax, dmft, lambda2, norm)
        extrapolated = _extrapolated_lyapunov(simulations, model)
        if extrapolated is None:
            notes.append(f"{model}: no simulated λ_max")
            continue
        x = data.at_points(lambda2, extrapolated["g"], extrapolated["sigma_b"]).transpose("g", "sigma_b")
        sb = extrapolated["sigma_b"].broadcast_like(extrapolated["value"]).transpose("g", "sigma_b")
        y, err = extrapolated["value"].values, extrapolated["stderr"].values
        ax.errorbar(
            x.values.ravel(), y.ravel(), yerr=np.nan_to_num(err.ravel()), fmt="none", ecolor="0.4", elinewidth=0.6
        )
        _scatter_extrapolated(ax, x.values.ravel(), y.ravel(), sb.values.ravel(), norm)
        notes += data.gap_note(
            model,
            data.variable(simulations, "lyapunov_max", model=model),
            data.variable(simulations, "status", model=model),
        )
        lost = int(np.sum(~np.isfinite(y)))
        if lost:
            notes.append(f"{model}: {lost} (g, σ_b) points without an N → ∞ value")
        ax.legend(loc="lower left")
    axes[-1].set_xlabel(r"$\lambda^2$ of the rate-model DMFT (1/t$^2$)")
    _draw_onset(onset, simulations, dmft, lambda2, norm, notes)
    if any(ax.collections for ax in axes):
        figure.colorbar(
            ScalarMappable(norm=norm, cmap=style.SEQUENTIAL), ax=[*axes, onset], label=r"bias $\sigma_b$", shrink=0.6
        )
    style.footnote(figure, notes)
    return figure


def _scatter_extrapolated(ax, x, y, sigma_b, norm) -> None:
    """The simulations' N → ∞ values: squares coloured by σ_b."""
    ax.scatter(
        x,
        y,
        c=sigma_b,
        norm=norm,
        cmap=style.SEQUENTIAL,
        marker="s",
        s=14,
        edgecolors="k",
        linewidths=0.4,
        label=r"simulation, $N\to\infty$",
        zorder=3,
    )


#: Near the onset of chaos the DMFT gives λ_max ≈ ratio · λ² (docs/science.md §3.5): 3 without bias,
#: 1.25 with bias; drawn as guides in the log–log onset panel.
ONSET_RATIOS = (
    (3.0, r"$\lambda_{max} = 3\lambda^2$ ($\sigma_b = 0$)"),
    (1.25, r"$\lambda_{max} = 1.25\lambda^2$ ($\sigma_b > 0$)"),
)


def _draw_onset(ax, simulations, dmft, lambda2, norm, notes) -> None:
    """The rate model's onset branch on log–log axes: λ_max > 0 against λ² > 0 (DMFT and the
    simulations' N → ∞ values), with the DMFT's onset ratios as guides."""
    ax.set_title(r"rate model near onset ($\lambda_{max} > 0$, log–log)")
    ax.set_xlabel(r"$\lambda^2$ of the rate-model DMFT (1/t$^2$)")
    ax.set_ylabel(r"$\lambda_{max}$ (1/t)")
    lyapunov = data.variable(dmft, "lyapunov_max")
    if lambda2 is None or lyapunov is None:
        style.empty_panel(ax, "no DMFT λ² and λ_max: no onset branch to draw")
        return
    lyapunov = lyapunov.broadcast_like(lambda2).transpose(*lambda2.dims)
    sb = lambda2["sigma_b"].broadcast_like(lambda2).transpose(*lambda2.dims)
    x, y = lambda2.values.ravel(), lyapunov.values.ravel()
    chaotic = (x > 0) & (y > 0)
    extrapolated = _extrapolated_lyapunov(simulations, "rate")
    if extrapolated is not None:
        at = data.at_points(lambda2, extrapolated["g"], extrapolated["sigma_b"]).transpose("g", "sigma_b")
        xs, ys = at.values.ravel(), extrapolated["value"].values.ravel()
        above = (xs > 0) & (ys > 0)
        if above.any():
            sim_sb = extrapolated["sigma_b"].broadcast_like(extrapolated["value"]).transpose("g", "sigma_b")
            _scatter_extrapolated(ax, xs[above], ys[above], sim_sb.values.ravel()[above], norm)
        else:
            notes.append("rate: no simulated point with λ_max > 0 and λ² > 0 (onset panel)")
    if not chaotic.any():
        style.empty_panel(ax, "no DMFT point with λ_max > 0 and λ² > 0")
        return
    ax.scatter(
        x[chaotic],
        y[chaotic],
        c=sb.values.ravel()[chaotic],
        norm=norm,
        cmap=style.SEQUENTIAL,
        marker="o",
        s=8,
        linewidths=0,
        label="DMFT",
    )
    line = np.geomspace(x[chaotic].min(), x[chaotic].max(), 20)
    for (ratio, label), ls in zip(ONSET_RATIOS, ("--", ":"), strict=True):
        ax.plot(line, ratio * line, color="0.3", ls=ls, lw=0.8, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.legend(loc="lower right")


def _draw_dmft_and_bound(ax, dmft, lambda2, norm) -> None:
    """DMFT λ_max against λ² on the whole DMFT grid, and the bound −1/2 + √(1/4 − λ²)."""
    lyapunov = data.variable(dmft, "lyapunov_max")
    if lyapunov is not None:
        sb = lambda2["sigma_b"].broadcast_like(lambda2).transpose(*lambda2.dims)
        lyapunov = lyapunov.broadcast_like(lambda2).transpose(*lambda2.dims)
        ax.scatter(
            lambda2.values.ravel(),
            lyapunov.values.ravel(),
            c=sb.values.ravel(),
            norm=norm,
            cmap=style.SEQUENTIAL,
            marker="o",
            s=5,
            linewidths=0,
            label="DMFT",
        )
    finite = lambda2.values[np.isfinite(lambda2.values)]
    if finite.size:
        line = np.linspace(min(finite.min(), 0.0), 0.25, 200)
        ax.plot(
            line,
            -0.5 + np.sqrt(0.25 - line),
            color="k",
            lw=0.8,
            label=r"bound $-\frac{1}{2}+\sqrt{\frac{1}{4}-\lambda^2}$",
        )


@style.styled
def phase_diagram(simulations: xr.Dataset | None, dmft: xr.Dataset | None) -> Figure:
    """The rate model's (σ_b, g) phase diagram: fixed-point boundary, λ_max = 0 from DMFT and from
    simulation (N → ∞). σ_b is the rate model's static input; the LSTM's σ_b (biases inside its
    gates) is another parameter, and its diagram is :func:`eoc.figures.lstm_phase.lstm_phase_diagram`."""
    data.check(simulations, dmft)
    figure, ax = style.new_figure(height=2.8)
    handles, notes = [], []
    boundary = data.variable(dmft, "g_c")
    if boundary is not None:
        handles += ax.plot(
            boundary["sigma_b"].values, boundary.values, color="k", label=r"fixed-point boundary $g_c(\sigma_b)$"
        )
        notes += data.gap_note("g_c", boundary)
    onset = dmft_chaos_onset(data.variable(dmft, "lyapunov_max"))
    if onset is not None and np.isfinite(onset.values).any():
        handles += ax.plot(
            onset["sigma_b"].values,
            onset.values,
            color="C3",
            ls="--",
            lw=1.0,
            marker=".",
            label=r"DMFT $\lambda_{max}=0$",
        )
        lost = onset["sigma_b"].values[~np.isfinite(onset.values)]
        if lost.size:
            notes.append("DMFT λ_max has no zero in the gain grid at σ_b = " + ", ".join(f"{b:g}" for b in lost))
    handles += _draw_simulated_onset(ax, simulations, "rate", notes, marker="o", color="C0")
    ax.set_xlabel(r"bias $\sigma_b$")
    ax.set_ylabel(r"gain $g$")
    biases = np.concatenate([ds["sigma_b"].values for ds in (simulations, dmft) if ds is not None] or [np.zeros(1)])
    pad = 0.05 * (np.ptp(biases) or 1.0)
    ax.set_xlim(biases.min() - pad, biases.max() + pad)
    if handles:
        ax.legend(handles=handles, loc="lower right")
    else:
        style.empty_panel(ax, "nothing to draw: no DMFT boundary and no simulations")
    style.footnote(figure, notes)
    return figure


def _draw_simulated_onset(ax, simulations, model, notes, **style_) -> list:
    """Per σ_b, the zero crossing in g of the simulations' N → ∞ λ_max of ``model`` (with its error)."""
    extrapolated = _extrapolated_lyapunov(simulations, model)
    if extrapolated is None:
        notes.append(f"{model}: no simulated λ_max")
        return []
    sb, root, err = [], [], []
    for bias in extrapolated["sigma_b"].values:
        point = extrapolated.sel(sigma_b=bias)
        g0, dg = analysis.zero_crossing(point["g"].values, point["value"].values, point["stderr"].values)
        sb.append(bias), root.append(g0), err.append(dg)
    if not np.isfinite(root).any():
        notes.append(f"{model}: λ_max (N → ∞) has no zero in the gain grid")
        return []
    label = rf"{style.MODEL_LABEL[model]} $\lambda_{{max}}=0$ ($N\to\infty$)"
    return [ax.errorbar(sb, root, yerr=np.nan_to_num(err), fmt=style_.pop("marker"), label=label, **style_)]


def dmft_chaos_onset(lyapunov: xr.DataArray | None, *, xtol: float = 1e-5) -> xr.DataArray | None:
    """The gain where the DMFT λ_max(g) crosses zero, per σ_b of ``lyapunov`` (DMFT grid, dims g
    and sigma_b): the grid brackets the first upward sign change, :func:`scipy.optimize.brentq`
    finds the root of :func:`eoc.meanfield.rate.solve`'s λ_max in that bracket (to ``xtol`` in g;
    at the fixed-point boundary itself the chaotic solution degenerates and λ_max is NaN, so a
    trial gain there is moved by up to ±3·10·xtol to the nearest finite value). NaN where the grid
    has no sign change or the solver fails inside the bracket."""
    if lyapunov is None or lyapunov.sizes.get("g", 0) < 2:
        return None
    from scipy.optimize import brentq

    from eoc.meanfield.rate import solve

    field = lyapunov.transpose("g", "sigma_b")
    gains = field["g"].values
    roots = []
    for column, bias in enumerate(field["sigma_b"].values):
        values = field.values[:, column]
        keep = np.isfinite(values)
        g, y = gains[keep], values[keep]
        up = np.flatnonzero((y[:-1] < 0) & (y[1:] >= 0))
        if not up.size:
            roots.append(np.nan)
            continue
        low, high = g[up[0]], g[up[0] + 1]
        if y[up[0] + 1] == 0:
            roots.append(float(high))
            continue
        try:
            roots.append(brentq(_finite_lyapunov, low, high, args=(float(bias), solve, 10 * xtol), xtol=xtol))
        except ValueError:  # no finite λ_max near a trial gain, or no sign change in the bracket
            roots.append(np.nan)
    return xr.DataArray(
        np.array(roots, dtype=float), coords={"sigma_b": field["sigma_b"].values}, dims="sigma_b", name="g_chaos"
    )


def _finite_lyapunov(g: float, sigma_b: float, solve, step: float) -> float:
    """The DMFT λ_max at g, or at the nearest of g ± step, g ± 2 step, g ± 3 step where g gives NaN."""
    for shift in (0, 1, -1, 2, -2, 3, -3):
        value = solve(g + shift * step, sigma_b).lyapunov_max
        if np.isfinite(value):
            return value
    raise ValueError(f"no finite DMFT lambda_max near g={g}, sigma_b={sigma_b}")


def _draw_gate_concentration(ax, simulations, tolerance, notes) -> list:
    """Shade the (σ_b, g) grid points where every LSTM gate is within ``tolerance`` of 1/2."""
    mean = data.variable(simulations, "gate_mean", model="lstm")
    std = data.variable(simulations, "gate_std", model="lstm")
    if mean is None or std is None:
        notes.append("lstm: no gate statistics")
        return []
    has_data = mean.notnull().any(("g", "sigma_b", "seed", "gate"))
    sizes = mean["N"].values[has_data.values]
    size = sizes.max()
    mean = analysis.seed_statistics(mean.sel(N=size))["mean"]
    std = analysis.seed_statistics(std.sel(N=size))["mean"]
    concentrated = (abs(mean - 0.5).max("gate") < tolerance) & (std.max("gate") < tolerance)
    concentrated = concentrated.where(mean.notnull().all("gate") & std.notnull().all("gate"))
    concentrated = concentrated.transpose("g", "sigma_b")
    grid_g = concentrated["g"].broadcast_like(concentrated).transpose("g", "sigma_b")
    grid_sb = concentrated["sigma_b"].broadcast_like(concentrated).transpose("g", "sigma_b")
    inside, outside = concentrated.values == 1, concentrated.values == 0
    notes.append(f"gates ≈ 1/2: tolerance {tolerance:g} on |mean − 1/2| and spread, N = {size}")
    ax.scatter(grid_sb.values[outside], grid_g.values[outside], marker=".", color="0.75", s=8, zorder=1)
    return [
        ax.scatter(
            grid_sb.values[inside],
            grid_g.values[inside],
            marker="s",
            s=30,
            color="C2",
            alpha=0.35,
            linewidths=0,
            zorder=1,
            label=r"LSTM gates $\approx 1/2$",
        )
    ]
