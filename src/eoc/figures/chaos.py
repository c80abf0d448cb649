"""Chaos against correlations over the (g, σ_b) plane: λ_max versus λ², and the phase diagram.

* λ_max against λ²: the DMFT's maximal exponent and the simulations' N → ∞ extrapolation of λ_max
  (fit in 1/N, error from seeds) against the DMFT decay rate λ² at the same (g, σ_b), with the
  continuum bound λ_max ≥ −1/2 + √(1/4 − λ²) of the rate model (λ² ≤ 1/4). The LSTM is a
  discrete-time map with its biases inside the gates: its exponent (1/step) is not the rate
  model's (1/t) and is drawn in its own panel, against the rate model's λ² only as a coordinate.
* Phase diagram in (σ_b, g): the fixed-point boundary g_c(σ_b) (DMFT file), the λ_max = 0 line of
  the DMFT (contour) and of the simulations (zero crossing in g of the extrapolated λ_max, per σ_b),
  and the grid points where the LSTM gates concentrate at 1/2 (every gate's seed-mean satisfies
  |mean − 1/2| < tol and spread < tol at the largest N with data).
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from eoc import validation
from eoc.figures import data, estimators, style


def _extrapolated_lyapunov(simulations, model):
    """N → ∞ value and stderr of λ_max over (g, sigma_b) for ``model``, or None."""
    lyapunov = data.variable(simulations, "lyapunov_max", model=model)
    if lyapunov is None:
        return None
    return estimators.extrapolate_infinite_size(lyapunov).transpose("g", "sigma_b")


@style.styled
def lyapunov_vs_lambda2(simulations: xr.Dataset | None, dmft: xr.Dataset | None) -> Figure:
    """λ_max against λ² over the whole (g, σ_b) grid, rate model (with the DMFT and the continuum
    bound) and LSTM (per step) in separate panels, coloured by σ_b."""
    data.check(simulations, dmft)
    figure, axes = style.new_figure(nrows=2, height=4.6, sharex=True)
    lambda2 = data.variable(dmft, "lambda2")
    biases = [] if simulations is None else list(simulations["sigma_b"].values)
    biases += [] if dmft is None else list(dmft["sigma_b"].values)
    norm = Normalize(min(biases, default=0.0), max(max(biases, default=1.0), 1e-9))
    notes = []
    for ax, model in zip(axes, ("rate", "lstm"), strict=True):
        unit = style.LYAPUNOV_UNIT[model]
        ax.set_title("rate model (DMFT and simulation)" if model == "rate" else
                     "LSTM: exponent per step, not the rate model's")
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
        x = data.at_points(lambda2, extrapolated["g"], extrapolated["sigma_b"]).transpose(
            "g", "sigma_b")
        sb = extrapolated["sigma_b"].broadcast_like(extrapolated["value"]).transpose("g", "sigma_b")
        y, err = extrapolated["value"].values, extrapolated["stderr"].values
        ax.errorbar(x.values.ravel(), y.ravel(), yerr=np.nan_to_num(err.ravel()), fmt="none",
                    ecolor="0.4", elinewidth=0.6)
        ax.scatter(x.values.ravel(), y.ravel(), c=sb.values.ravel(), norm=norm,
                   cmap=style.SEQUENTIAL, marker="s", s=14, edgecolors="k", linewidths=0.4,
                   label=r"simulation, $N\to\infty$", zorder=3)
        notes += data.gap_note(model, data.variable(simulations, "lyapunov_max", model=model),
                               data.variable(simulations, "status", model=model))
        lost = int(np.sum(~np.isfinite(y)))
        if lost:
            notes.append(f"{model}: {lost} (g, σ_b) points without an N → ∞ value")
        ax.legend(loc="lower left")
    axes[-1].set_xlabel(r"$\lambda^2$ of the rate-model DMFT (1/t$^2$)")
    if any(ax.collections for ax in axes):
        figure.colorbar(ScalarMappable(norm=norm, cmap=style.SEQUENTIAL), ax=axes,
                        label=r"bias $\sigma_b$", shrink=0.6)
    style.footnote(figure, notes)
    return figure


def _draw_dmft_and_bound(ax, dmft, lambda2, norm) -> None:
    """DMFT λ_max against λ² on the whole DMFT grid, and the bound −1/2 + √(1/4 − λ²)."""
    lyapunov = data.variable(dmft, "lyapunov_max")
    if lyapunov is not None:
        sb = lambda2["sigma_b"].broadcast_like(lambda2).transpose(*lambda2.dims)
        lyapunov = lyapunov.broadcast_like(lambda2).transpose(*lambda2.dims)
        ax.scatter(lambda2.values.ravel(), lyapunov.values.ravel(),
                   c=sb.values.ravel(), norm=norm, cmap=style.SEQUENTIAL, marker="o", s=5,
                   linewidths=0, label="DMFT")
    finite = lambda2.values[np.isfinite(lambda2.values)]
    if finite.size:
        line = np.linspace(min(finite.min(), 0.0), 0.25, 200)
        ax.plot(line, -0.5 + np.sqrt(0.25 - line), color="k", lw=0.8,
                label=r"bound $-\frac{1}{2}+\sqrt{\frac{1}{4}-\lambda^2}$")


@style.styled
def phase_diagram(
    simulations: xr.Dataset | None,
    dmft: xr.Dataset | None,
    *,
    gate_tolerance: float = 0.05,
) -> Figure:
    """The (σ_b, g) phase diagram: fixed-point boundary, λ_max = 0 from DMFT and from simulation
    (N → ∞), and where the LSTM gates concentrate at 1/2 (within ``gate_tolerance``)."""
    data.check(simulations, dmft)
    tolerance = validation.positive("gate_tolerance", gate_tolerance)
    figure, ax = style.new_figure(height=2.8)
    handles, notes = [], []
    boundary = data.variable(dmft, "g_c")
    if boundary is not None:
        handles += ax.plot(boundary["sigma_b"].values, boundary.values, color="k",
                           label=r"fixed-point boundary $g_c(\sigma_b)$")
        notes += data.gap_note("g_c", boundary)
    lyapunov = data.variable(dmft, "lyapunov_max")
    if lyapunov is not None and min(lyapunov.sizes["g"], lyapunov.sizes["sigma_b"]) >= 2:
        field = lyapunov.transpose("g", "sigma_b")
        values = np.ma.masked_invalid(field.values)
        if values.count() and values.min() < 0 < values.max():
            ax.contour(field["sigma_b"].values, field["g"].values, values, levels=[0.0],
                       colors="C3", linestyles="--", linewidths=1.0)
            handles.append(Line2D([], [], color="C3", ls="--", label=r"DMFT $\lambda_{max}=0$"))
    for model, marker, color in (("rate", "o", "C0"), ("lstm", "^", "C1")):
        extrapolated = _extrapolated_lyapunov(simulations, model)
        if extrapolated is None:
            notes.append(f"{model}: no simulated λ_max")
            continue
        sb, root, err = [], [], []
        for bias in extrapolated["sigma_b"].values:
            point = extrapolated.sel(sigma_b=bias)
            g0, dg = estimators.zero_crossing(point["g"].values, point["value"].values,
                                              point["stderr"].values)
            sb.append(bias), root.append(g0), err.append(dg)
        if not np.isfinite(root).any():
            notes.append(f"{model}: λ_max (N → ∞) has no zero in the gain grid")
            continue
        handles.append(ax.errorbar(sb, root, yerr=np.nan_to_num(err), fmt=marker, color=color,
                                   label=rf"{style.MODEL_LABEL[model]} $\lambda_{{max}}=0$ "
                                         r"($N\to\infty$)"))
    handles += _draw_gate_concentration(ax, simulations, tolerance, notes)
    ax.set_xlabel(r"bias $\sigma_b$")
    ax.set_ylabel(r"gain $g$")
    biases = np.concatenate([ds["sigma_b"].values for ds in (simulations, dmft) if ds is not None]
                            or [np.zeros(1)])
    pad = 0.05 * (np.ptp(biases) or 1.0)
    ax.set_xlim(biases.min() - pad, biases.max() + pad)  # contour would otherwise clip the edges
    if handles:
        ax.legend(handles=handles, loc="lower right")
    else:
        style.empty_panel(ax, "nothing to draw: no DMFT boundary and no simulations")
    style.footnote(figure, notes)
    return figure


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
    mean = estimators.seed_statistics(mean.sel(N=size))["mean"]
    std = estimators.seed_statistics(std.sel(N=size))["mean"]
    concentrated = (abs(mean - 0.5).max("gate") < tolerance) & (std.max("gate") < tolerance)
    concentrated = concentrated.where(mean.notnull().all("gate") & std.notnull().all("gate"))
    concentrated = concentrated.transpose("g", "sigma_b")
    grid_g = concentrated["g"].broadcast_like(concentrated).transpose("g", "sigma_b")
    grid_sb = concentrated["sigma_b"].broadcast_like(concentrated).transpose("g", "sigma_b")
    inside, outside = concentrated.values == 1, concentrated.values == 0
    notes.append(f"gates ≈ 1/2: tolerance {tolerance:g} on |mean − 1/2| and spread, N = {size}")
    ax.scatter(grid_sb.values[outside], grid_g.values[outside], marker=".", color="0.75", s=8,
               zorder=1)
    return [ax.scatter(grid_sb.values[inside], grid_g.values[inside], marker="s", s=30,
                       color="C2", alpha=0.35, linewidths=0, zorder=1,
                       label=r"LSTM gates $\approx 1/2$")]
