"""The LSTM's own phase diagram in (σ_b, g), σ_b the spread of the biases inside the four gates.

* Linear criterion: g_c(σ_b) where the LSTM's (random) fixed point loses linear stability, Λ = 1
  (:mod:`eoc.meanfield.lstm_fixed_point`, docs/lstm-stability.md), for zero bias means and for a
  forget-gate bias mean μ_f = +1.
* Measured: the zero crossing in g of the simulations' λ_max extrapolated N → ∞ (fit in 1/N, error
  from the seeds), per σ_b, from the merged file's ``lstm`` cells (zero bias means: the sweep's).
* Mean-field onset: the N = ∞ onset of chaos of the full LSTM from ``eoc.meanfield.lstm`` where that
  module provides ``onset(sigma_b, bias_means=...) -> g`` (a hook: drawn when available).
* Gates ≈ 1/2: grid points where every gate's seed-mean is within a tolerance of 1/2 and its spread
  below it (largest N), as in the rate model's diagram (:func:`eoc.figures.chaos.phase_diagram`).
"""

from __future__ import annotations

import functools
import importlib

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from eoc import analysis, validation
from eoc.figures import data, style
from eoc.figures.chaos import _draw_gate_concentration

#: Bias means whose linear criterion is drawn: (label, means, line style).
CRITERIA = ((r"$\mu=0$", (), "-"), (r"$\mu_f=+1$", (("f", 1.0),), "--"))


@functools.lru_cache(maxsize=8)
def linear_criterion(sigma_b: tuple, means: tuple) -> np.ndarray:
    """g_c at each σ_b for bias means ``means`` ((gate, value) pairs); a coarser quadrature than
    the module's default (17² × 81 nodes: g_c within 1e-4 of the default rule)."""
    from eoc.meanfield.lstm_fixed_point import FixedPointTheory

    return FixedPointTheory(dict(means), nodes=17, cell_nodes=81).critical_gain(np.array(sigma_b))


def mean_field_onset(sigma_b: np.ndarray, means: dict):
    """The LSTM mean-field theory's onset of chaos g(σ_b), or None where ``eoc.meanfield.lstm``
    (issue 11) does not provide ``onset(sigma_b, bias_means=...)``. (Its static ``onset_gain`` is
    the same linear criterion as this figure's black lines: 2.27916 against 2.27917 at σ_b = 0.5,
    μ = 0; the hook is for the λ_max = 0 line of its time-dependent solution.)"""
    try:
        theory = importlib.import_module("eoc.meanfield.lstm")
    except ImportError:
        return None
    onset = getattr(theory, "onset", None)
    return None if onset is None else np.asarray(onset(sigma_b, bias_means=means), float)


def _measured_boundary(simulations):
    """σ_b, g* and its error of the extrapolated λ_max = 0 crossing of the LSTM cells, or None."""
    lyapunov = data.variable(simulations, "lyapunov_max", model="lstm")
    if lyapunov is None:
        return None
    extrapolated = analysis.extrapolate_infinite_size(lyapunov).transpose("g", "sigma_b")
    rows = []
    for bias in extrapolated["sigma_b"].values:
        point = extrapolated.sel(sigma_b=bias)
        rows.append((bias, *analysis.zero_crossing(point["g"].values, point["value"].values, point["stderr"].values)))
    return np.array(rows).T


@style.styled
def lstm_phase_diagram(
    simulations: xr.Dataset | None, dmft: xr.Dataset | None, *, gate_tolerance: float = 0.05, criterion_points: int = 6
) -> Figure:
    """The LSTM's (σ_b, g) diagram: linear criterion (μ = 0, μ_f = +1), measured λ_max = 0 (N → ∞),
    mean-field onset where available, gates ≈ 1/2."""
    data.check(simulations, dmft)
    tolerance = validation.positive("gate_tolerance", gate_tolerance)
    points = validation.integer("criterion_points", criterion_points, minimum=2)
    figure, ax = style.new_figure(height=2.8)
    handles, notes = [], []
    lstm_biases = data.variable(simulations, "lyapunov_max", model="lstm")
    top = float(lstm_biases["sigma_b"].max()) if lstm_biases is not None else 1.0
    sigma_b = tuple(np.linspace(0.0, top if top > 0 else 1.0, points))
    for label, means, line in CRITERIA:
        handles += ax.plot(
            sigma_b, linear_criterion(sigma_b, means), color="k", ls=line, label=f"linear criterion {label}"
        )
        onset = mean_field_onset(np.array(sigma_b), dict(means))
        if onset is not None:
            handles += ax.plot(sigma_b, onset, color="C3", ls=line, label=f"mean-field onset {label}")
    if mean_field_onset(np.array(sigma_b[:1]), {}) is None:
        notes.append("mean-field onset: eoc.meanfield.lstm.onset not available")
    measured = _measured_boundary(simulations)
    if measured is None:
        notes.append("lstm: no simulated λ_max")
    elif not np.isfinite(measured[1]).any():
        notes.append("lstm: λ_max (N → ∞) has no zero in the gain grid")
    else:
        handles.append(
            ax.errorbar(
                measured[0],
                measured[1],
                yerr=np.nan_to_num(measured[2]),
                fmt="^",
                color="C1",
                label=r"measured $\lambda_{max}=0$ ($N\to\infty$, $\mu=0$)",
            )
        )
    handles += _draw_gate_concentration(ax, simulations, tolerance, notes)
    ax.set_xlabel(r"gate-bias spread $\sigma_b$")
    ax.set_ylabel(r"gain $g$")
    ax.legend(handles=handles, loc="upper left")
    style.footnote(figure, notes)
    return figure
