"""The LSTM's own phase diagram in (σ_b, g), σ_b the spread of the biases inside the four gates.

* Linear criterion: g_c(σ_b) where the LSTM's (random) fixed point loses linear stability, Λ = 1
  (:mod:`eoc.meanfield.lstm_fixed_point`, docs/lstm-stability.md), for μ_f = 0 and +1 and every
  other forget-gate bias mean of the merged file.
* Measured: per (σ_b, μ_f) the gain g_c(N) where the seed-mean λ_max(g) of the merged file's
  ``lstm`` cells crosses zero, at each N, and its fit g_c(N) = g_c + a/N
  (:func:`eoc.analysis.critical_gain_limit`; error bars: the fit's, from the seeds' scatter).
* Mean-field onset: ``g_c(sigma_b)`` of the merged LSTM mean field (``dmft_lstm.nc``,
  :mod:`eoc.meanfield.lstm`), the root in g of its stability parameter s = 1 (brentq): its solver is
  chaotic, λ_max > 0, exactly where s > 1, so this is its λ_max = 0 onset at N = ∞. Its bias means are
  those of its jobs (``job_config``; zero unless set).
* Gates ≈ 1/2: grid points where every gate's seed-mean is within a tolerance of 1/2 and its spread
  below it (largest N, μ_f = 0), as in the rate model's diagram (:func:`eoc.figures.chaos.phase_diagram`).
"""

from __future__ import annotations

import functools
import json

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from eoc import analysis, validation
from eoc.figures import data, style
from eoc.figures.chaos import _draw_gate_concentration

#: Forget-gate bias means drawn when the simulations name none.
DEFAULT_MEANS = (0.0, 1.0)


@functools.lru_cache(maxsize=8)
def linear_criterion(sigma_b: tuple, means: tuple) -> np.ndarray:
    """g_c at each σ_b for bias means ``means`` ((gate, value) pairs); a coarser quadrature than
    the module's default (17² × 81 nodes: g_c within 1e-4 of the default rule)."""
    from eoc.meanfield.lstm_fixed_point import FixedPointTheory

    return FixedPointTheory(dict(means), nodes=17, cell_nodes=81).critical_gain(np.array(sigma_b))


def forget_means(simulations: xr.Dataset | None) -> tuple[float, ...]:
    """The forget-gate bias means of the simulations' ``lstm`` cells with data (a file without
    ``mu_f``: 0; no simulations: none)."""
    lyapunov = data.variable(simulations, "lyapunov_max", model="lstm", mu_f=None)
    if lyapunov is None or data.BIAS_MEAN not in lyapunov.dims:
        return () if lyapunov is None else (data.UNBIASED,)
    finite = lyapunov.notnull().any([d for d in lyapunov.dims if d != data.BIAS_MEAN])
    return tuple(float(m) for m in lyapunov[data.BIAS_MEAN].values[finite.values])


def measured_boundary(simulations: xr.Dataset | None, mu_f: float) -> xr.Dataset | None:
    """:func:`eoc.analysis.critical_gain_limit` of the ``lstm`` cells at ``mu_f`` over sigma_b, or None."""
    lyapunov = data.variable(simulations, "lyapunov_max", model="lstm", mu_f=mu_f)
    if lyapunov is None:
        return None
    return analysis.critical_gain_limit(lyapunov)


def mean_field_onset(dmft_lstm: xr.Dataset | None) -> tuple[xr.DataArray | None, dict]:
    """``g_c(sigma_b)`` of the merged LSTM mean field (None if absent) and its jobs' bias means."""
    if dmft_lstm is None or "g_c" not in dmft_lstm:
        return None, {}
    means = {}
    if "job_config" in dmft_lstm and dmft_lstm["job_config"].size:
        means = json.loads(str(dmft_lstm["job_config"].values.ravel()[0])).get("bias_means", {}) or {}
    onset = dmft_lstm["g_c"]
    return (onset if np.isfinite(onset.values).any() else None), {k: v for k, v in means.items() if v}


def _mean_label(mu_f: float, others: dict | None = None) -> str:
    means = {"f": mu_f, **(others or {})}
    parts = [rf"\mu_{gate}={value:+g}" for gate, value in means.items() if value]
    return "$" + (r",\ ".join(parts) if parts else r"\mu=0") + "$"


@style.styled
def lstm_phase_diagram(
    simulations: xr.Dataset | None,
    dmft: xr.Dataset | None,
    *,
    dmft_lstm: xr.Dataset | None = None,
    gate_tolerance: float = 0.05,
    criterion_points: int = 6,
) -> Figure:
    """The LSTM's (σ_b, g) diagram: linear criterion and measured λ_max = 0 (N → ∞) per forget-gate
    bias mean, the mean field's onset (``dmft_lstm``, optional), gates ≈ 1/2."""
    data.check(simulations, dmft)
    tolerance = validation.positive("gate_tolerance", gate_tolerance)
    points = validation.integer("criterion_points", criterion_points, minimum=2)
    figure, ax = style.new_figure(height=3.0)
    handles, notes = [], []
    lyapunov = data.variable(simulations, "lyapunov_max", model="lstm", mu_f=None)
    top = float(lyapunov["sigma_b"].max()) if lyapunov is not None else 1.0
    sigma_b = tuple(np.linspace(0.0, top if top > 0 else 1.0, points))
    means = sorted(set(DEFAULT_MEANS) | set(forget_means(simulations)))
    for k, mu_f in enumerate(means):
        color = f"C{k}"
        criterion = (("f", mu_f),) if mu_f else ()
        handles += ax.plot(
            sigma_b,
            linear_criterion(sigma_b, criterion),
            color=color,
            ls="-",
            label=f"linear criterion {_mean_label(mu_f)}",
        )
        boundary = measured_boundary(simulations, mu_f)
        if boundary is None:
            notes.append(f"lstm {_mean_label(mu_f)}: no simulated λ_max")
            continue
        fitted = np.isfinite(boundary["g_c"].values)
        if fitted.any():
            handles.append(
                ax.errorbar(
                    boundary["sigma_b"].values[fitted],
                    boundary["g_c"].values[fitted],
                    yerr=np.nan_to_num(boundary["g_c_stderr"].values[fitted]),
                    fmt="^",
                    color=color,
                    capsize=2,
                    label=rf"measured $\lambda_{{max}}=0$, $N\to\infty$ {_mean_label(mu_f)}",
                )
            )
        largest = boundary["g_c_N"].isel(N=-1)
        if np.isfinite(largest.values).any():
            ax.plot(boundary["sigma_b"].values, largest.values, "v", color=color, mfc="none", ms=4)
        lost = [f"{s:g}" for s, ok in zip(boundary["sigma_b"].values, fitted, strict=True) if not ok]
        if lost:
            notes.append(f"{_mean_label(mu_f)}: no N → ∞ fit at σ_b = {', '.join(lost)} (no zero of λ_max or one N)")
    if lyapunov is not None:
        notes.append(f"open ▽: g_c(N) at the largest N = {int(lyapunov['N'].max())}")
    onset, onset_means = mean_field_onset(dmft_lstm)
    if onset is None:
        notes.append("mean-field onset: no LSTM mean-field file (dmft_lstm.nc)")
    else:
        handles += ax.plot(
            onset["sigma_b"].values,
            onset.values,
            "x:",
            color="C3",
            label=f"mean field $N=\\infty$ {_mean_label(float(onset_means.pop('f', 0.0)), onset_means)}",
        )
    handles += _draw_gate_concentration(ax, simulations, tolerance, notes)
    bottom, top = ax.get_ylim()
    ax.set_ylim(bottom, top + 0.5 * (top - bottom))  # room for the legend above the data
    ax.set_xlabel(r"gate-bias spread $\sigma_b$")
    ax.set_ylabel(r"gain $g$")
    ax.legend(handles=handles, loc="upper left")
    style.footnote(figure, notes)
    return figure
