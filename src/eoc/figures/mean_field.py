"""Mean-field figures of the rate model, from ``dmft.nc`` only: the draft's figures 1–3.

* Static map (figures 1 and 2): f_g(C0) = (g²/4) E[tanh(√C0 z)²] + 4σ_b² against the trial variance
  C0, with the diagonal; its crossings are the static solutions C0_static. A crossing is drawn filled
  where the DMFT regime is "fixed_point" (the static solution is stable) and open where it is
  "chaotic". At σ_b = 0, C0 = 0 is always a crossing.
* Decay rate of correlations (figure 3): λ² = 1/4 − (g²/16) E[φ'(u)φ'(v)] at covariance C∞ (exact)
  and the draft's factorised 1/4 − (g²/16) (E[φ'(√C0 z)])², over the (g, σ_b) plane, and their
  difference. Units: C0 is a variance of h (dimensionless), λ² is in 1/t².
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.colors import CenteredNorm
from matplotlib.figure import Figure

from eoc import validation
from eoc.figures import data, style


@style.styled
def fixed_point_map(
    simulations: xr.Dataset | None,
    dmft: xr.Dataset | None,
    *,
    sigma_b: float = 0.0,
    curves: int = 6,
) -> Figure:
    """The draft's figure 1: f_g(C0) against C0 for up to ``curves`` gains g of the DMFT grid at the
    grid bias nearest ``sigma_b`` (default 0), with the fixed points marked."""
    data.check(simulations, dmft)
    curves = validation.integer("curves", curves, minimum=1)
    figure, ax = style.new_figure(height=2.6)
    chosen = data.nearest(dmft, "sigma_b", sigma_b)
    notes = _draw_static_map(ax, dmft, chosen, curves=curves)
    style.footnote(figure, notes)
    return figure


@style.styled
def fixed_point_map_bias(
    simulations: xr.Dataset | None,
    dmft: xr.Dataset | None,
    *,
    panels: int = 3,
    curves: int = 4,
) -> Figure:
    """The draft's figure 2: the static map with bias, one panel per non-zero σ_b of the DMFT grid
    (at most ``panels``, evenly spread), up to ``curves`` gains each."""
    data.check(simulations, dmft)
    panels = validation.integer("panels", panels, minimum=1)
    curves = validation.integer("curves", curves, minimum=1)
    biases = [] if dmft is None else [float(s) for s in dmft["sigma_b"].values if s > 0]
    biases = data.spread(biases, panels)
    figure, axes = style.new_figure(ncols=max(len(biases), 1), height=2.0, sharey=True)
    axes = np.atleast_1d(axes)
    if not biases:
        style.empty_panel(axes[0], "no σ_b > 0 in the DMFT grid")
        return figure
    notes = []
    for k, (ax, bias) in enumerate(zip(axes, biases, strict=True)):
        notes += _draw_static_map(ax, dmft, bias, curves=curves, legend=k == 0)
        if k:
            ax.set_ylabel("")
    style.footnote(figure, notes)
    return figure


def _draw_static_map(ax, dmft, sigma_b, *, curves: int, legend: bool = True) -> list[str]:
    """Draw f_g(C0) at one bias on ``ax``; return footnote lines (gaps)."""
    f_g = data.variable(dmft, "f_g", sigma_b=sigma_b)
    if f_g is None:
        style.empty_panel(ax, "no f_g(C0) in the DMFT file")
        return ["f_g: no data"]
    gains = data.spread(f_g["g"].values, curves)
    trial = f_g["C0_trial"].values
    static = data.variable(dmft, "C0_static", sigma_b=sigma_b)
    regime = data.variable(dmft, "regime", sigma_b=sigma_b)
    ax.plot(trial, trial, color="0.5", ls="--", lw=0.8, label="diagonal $f = C_0$")
    for color, gain in zip(style.colors(len(gains)), gains, strict=True):
        ax.plot(trial, f_g.sel(g=gain).values, color=color, label=f"$g = {gain:g}$")
        if static is None:
            continue
        c0 = float(static.sel(g=gain))
        stable = regime is not None and str(regime.sel(g=gain).values) == "fixed_point"
        ax.plot([c0], [c0], "o", color=color, mfc=color if stable else "white", zorder=3)
    # Legend proxies for the marker meaning.
    ax.plot([], [], "o", color="k", label="stable $C_0^{static}$")
    ax.plot([], [], "o", color="k", mfc="white", label="unstable (chaotic)")
    # Show the crossings, not the far tail of C0_trial: up to 1.6 × the largest crossing.
    crossings = [] if static is None else static.sel(g=gains).values
    crossings = np.asarray(crossings, dtype=float)
    reach = 1.6 * np.nanmax(crossings) if np.isfinite(crossings).any() else trial.max()
    right = float(np.clip(reach, min(1.0, trial.max()), trial.max()))
    visible = f_g.sel(g=gains).where(f_g["C0_trial"] <= right)
    top = float(np.nanmax(visible.values)) if np.isfinite(visible.values).any() else right
    ax.set_xlim(trial.min(), right)
    ax.set_ylim(0, 1.05 * max(top, right))
    ax.set_xlabel(r"trial variance $C_0$")
    ax.set_ylabel(r"$f_g(C_0)$")
    ax.set_title(rf"$\sigma_b = {sigma_b:g}$")
    if legend:
        ax.figure.legend(*ax.get_legend_handles_labels(), loc="outside upper center", ncols=3)
    return data.gap_note(f"f_g at σ_b={sigma_b:g}", f_g.sel(g=gains))


@style.styled
def lambda2_heatmaps(simulations: xr.Dataset | None, dmft: xr.Dataset | None) -> Figure:
    """The draft's figure 3: λ²(g, σ_b) exact, factorised, and exact − factorised, as heatmaps over
    (g, σ_b), with the fixed-point boundary g_c(σ_b) (where λ² → 0) and the λ² = 0 contour where
    λ² changes sign. The difference uses a colour scale centred at 0."""
    data.check(simulations, dmft)
    figure, axes = style.new_figure(nrows=3, height=5.2, sharex=True)
    exact = data.variable(dmft, "lambda2")
    factorised = data.variable(dmft, "lambda2_factorized")
    difference = None if exact is None or factorised is None else exact - factorised
    fields = [
        (exact, r"$\lambda^2$ exact (1/t$^2$)", False),
        (factorised, r"$\lambda^2$ factorised (1/t$^2$)", False),
        (difference, r"exact $-$ factorised (1/t$^2$)", True),
    ]
    boundary = data.variable(dmft, "g_c")
    notes = []
    for ax, (field, label, centred) in zip(axes, fields, strict=True):
        name = label.split(" (")[0].replace("$", "").replace("\\", "")
        if field is None:
            style.empty_panel(ax, f"no {name} in the DMFT file")
            continue
        field = field.transpose("sigma_b", "g")
        values = np.ma.masked_invalid(field.values)
        signed = values.count() > 0 and values.min() < 0 < values.max()
        norm = CenteredNorm() if centred else None
        mesh = ax.pcolormesh(
            field["g"].values,
            field["sigma_b"].values,
            values,
            shading="nearest",
            cmap=style.DIVERGING if centred else style.SEQUENTIAL,
            norm=norm,
            rasterized=True,
        )
        figure.colorbar(mesh, ax=ax, label=label)
        if not centred and signed and min(field.shape) >= 2:
            ax.contour(field["g"].values, field["sigma_b"].values, values, levels=[0.0], colors="w", linewidths=0.8)
        if boundary is not None:
            ax.set(xlim=ax.get_xlim(), ylim=ax.get_ylim())  # the boundary never widens the grid
            ax.plot(
                boundary.values,
                boundary["sigma_b"].values,
                "--",
                color="0.9" if not centred else "k",
                lw=0.9,
                label=r"$g_c(\sigma_b)$",
            )
        ax.set_ylabel(r"bias $\sigma_b$")
        notes += data.gap_note(name, field)
    axes[-1].set_xlabel(r"gain $g$")
    if boundary is not None:
        axes[0].legend(loc="upper left", labelcolor="0.9")
    style.footnote(figure, notes)
    return figure
