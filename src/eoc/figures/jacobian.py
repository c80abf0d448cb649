"""Linear stability of the LSTM's zero state against the circular law.

With zero biases, at (c, h) = (0, 0) every gate is 1/2 and the Jacobian of the map (c, h) → (c', h')
is

    J0 = [[I/2, U_c/2], [I/4, U_c/4]],

whose non-zero eigenvalues are 1/2 + μ/4 with μ in spec(U_c) (the other N are 0). U_c has iid
N(0, g²/N) entries, so by the circular law its spectrum fills the disk |μ| ≤ g as N → ∞: the
eigenvalues of J0 fill the disk of radius g/4 centred at 1/2, the spectral radius tends to
1/2 + g/4 and crosses 1 at g_c = 2. Only the gain of the cell input enters at linear order.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from eoc import analysis, validation
from eoc.errors import InputError
from eoc.figures import data, style


def zero_state_eigenvalues(cell_weights: np.ndarray) -> np.ndarray:
    """The 2N eigenvalues of J0 from an N × N problem (cheaper and better conditioned).

    J0 = X Y with X = [[I/2], [I/4]] (2N × N) and Y = [I, U_c] (N × 2N), so J0 has rank N (N zero
    eigenvalues) and its non-zero eigenvalues are those of Y X = I/2 + U_c/4.
    """
    cell_weights = np.asarray(cell_weights, dtype=float)
    if cell_weights.ndim != 2 or cell_weights.shape[0] != cell_weights.shape[1]:
        raise InputError(f"cell_weights must be a square matrix, got shape {cell_weights.shape}")
    return np.concatenate([0.5 + np.linalg.eigvals(cell_weights) / 4, np.zeros(cell_weights.shape[0])])


def cell_weights(*, g: float, size: int, seed: int) -> np.ndarray:
    """U_c with iid N(0, g²/N) entries (numpy's default generator; an illustration, not the
    simulations' counter-based disorder)."""
    g = validation.positive("g", g)
    size = validation.integer("size", size, minimum=2)
    seed = validation.integer("seed", seed, minimum=0)
    return g / np.sqrt(size) * np.random.default_rng(seed).standard_normal((size, size))


@style.styled
def jacobian_radius(
    simulations: xr.Dataset | None,
    dmft: xr.Dataset | None,
    *,
    model: str = "lstm",
) -> Figure:
    """Spectral radius of the zero-state Jacobian against g at σ_b = 0 (seed mean ± stderr, one
    series per N) with the circular-law line 1/2 + g/4."""
    data.check(simulations, dmft)
    model = validation.choice("model", model, data.MODELS)
    figure, ax = style.new_figure(height=2.4)
    bias = data.nearest(simulations, "sigma_b", 0.0)
    radius = data.variable(simulations, "jacobian_radius", model=model, sigma_b=bias)
    if radius is None:
        style.empty_panel(ax, f"no jacobian_radius for the {style.MODEL_LABEL[model]} at σ_b = 0")
        style.footnote(figure, ["jacobian_radius: no data"])
        return figure
    gains = radius["g"].values.astype(float)
    line = np.linspace(0.0, gains.max() * 1.05, 50)
    ax.plot(line, 0.5 + line / 4, color="k", lw=0.8, label=r"circular law $1/2 + g/4$")
    ax.axhline(1.0, color="0.6", ls=":", lw=0.8)
    ax.axvline(2.0, color="0.6", ls="--", lw=0.8, label=r"$g_c = 2$")
    sizes = [n for n in radius["N"].values if radius.sel(N=n).notnull().any()]
    for color, size in zip(style.colors(len(sizes)), sizes, strict=True):
        stats = analysis.seed_statistics(radius.sel(N=size))
        ax.errorbar(
            gains,
            stats["mean"].values,
            yerr=stats["stderr"].values,
            fmt="o-",
            color=color,
            lw=0.6,
            label=f"$N = {size}$",
        )
    ax.set_xlabel(r"gain $g$")
    ax.set_ylabel(r"spectral radius of $J_0$")
    ax.legend(loc="upper left")
    notes = [f"{style.MODEL_LABEL[model]}, σ_b = {bias:g}"]
    notes += data.gap_note("jacobian_radius", radius, data.variable(simulations, "status", model=model, sigma_b=bias))
    style.footnote(figure, notes)
    return figure


@style.styled
def jacobian_eigenvalues(
    simulations: xr.Dataset | None,
    dmft: xr.Dataset | None,
    *,
    gains=(1.0, 2.0, 3.0),
    size: int = 200,
    seed: int = 0,
) -> Figure:
    """Eigenvalues of J0 for one network of ``size`` units per gain (U_c drawn here with numpy,
    spectrum by :func:`zero_state_eigenvalues`), against the disk of radius g/4 centred at 1/2 and
    the unit circle."""
    data.check(simulations, dmft)
    gains = validation.grid("gains", gains, validation.positive)
    size = validation.integer("size", size, minimum=2)
    seed = validation.integer("seed", seed, minimum=0)
    figure, axes = style.new_figure(ncols=len(gains), height=1.6, sharey=True)
    axes = np.atleast_1d(axes)
    for ax, g in zip(axes, gains, strict=True):
        eigenvalues = zero_state_eigenvalues(cell_weights(g=g, size=size, seed=seed))
        ax.add_patch(Circle((0.0, 0.0), 1.0, fill=False, ls="--", color="0.5", lw=0.6))
        ax.add_patch(Circle((0.5, 0.0), g / 4, fill=False, color="C3", lw=0.9))
        ax.plot(eigenvalues.real, eigenvalues.imag, ".", color="C0", ms=1.0)
        ax.set_aspect("equal")
        extent = max(1.05, 0.5 + g / 4 + 0.05)
        ax.set_xlim(-extent, extent)
        ax.set_ylim(-extent, extent)
        ax.set_title(f"$g = {g:g}$")
        ax.set_xlabel(r"Re $\lambda$")
    axes[0].set_ylabel(r"Im $\lambda$")
    handles = [
        axes[0].lines[0],
        axes[0].patches[1],
        axes[0].patches[0],
    ]
    figure.legend(
        handles,
        ["eigenvalues of $J_0$", "disk $|\\lambda - 1/2| = g/4$", "unit circle"],
        loc="outside upper center",
        ncols=3,
    )
    style.footnote(figure, [f"one network, N = {size}, seed {seed}; N eigenvalues sit at 0"])
    return figure
