"""Solve the LSTM's mean-field theory on an outer-product grid of (g, σ_b) into a Dataset.

The layout follows the rate model's dmft.nc (:mod:`eoc.meanfield.rate.grid`): dims (g, sigma_b)
plus ``tau`` for C_h(τ) and ``gate`` for the gate statistics, ``g_c`` over ``sigma_b``, units and
long names on every variable, provenance attributes. Points are solved one after the other with
the same sampling seed (common random numbers: neighbouring points differ smoothly).
"""

from __future__ import annotations

import sys

import numpy as np
import xarray as xr
from tqdm import tqdm

from eoc import io, validation
from eoc.meanfield.lstm.options import Options
from eoc.meanfield.lstm.parameters import Parameters
from eoc.meanfield.lstm.solution import solve_point
from eoc.meanfield.lstm.static import onset_gain

METADATA = {
    "g": ("1", "recurrent gain g (U_x ~ N(0, g^2/N) for the gates that follow g)"),
    "sigma_b": ("1", "bias standard deviation sigma_b"),
    "tau": ("1", "time lag tau in steps"),
    "gate": ("", "LSTM gate"),
    "regime": ("1", "fixed_point (static branch stable, s < 1) or chaotic (s > 1)"),
    "status": ("1", "ok, or why the point is not trusted"),
    "C0": ("1", "<h^2> = C_h(0) over units and time (the simulation's C0)"),
    "C0_stderr": ("1", "statistical error of C0 (scatter of independent replicas / sqrt(replicas))"),
    "C0_residual": ("1", "drift of the input C0 per averaged iteration (mean over replicas; 0 at a fixed point)"),
    "C0_static": ("1", "<h*^2> of the static (fixed-point) branch"),
    "C_inf": ("1", "static part lim C_h(tau) as tau -> infinity"),
    "c_square": ("1", "<c^2> over units and time"),
    "c_square_stderr": ("1", "statistical error of c_square"),
    "c_square_residual": ("1", "drift of c_square per averaged iteration (mean over replicas; 0 when stationary)"),
    "gate_mean": ("1", "mean of the gate over units and time"),
    "gate_mean_stderr": ("1", "error of gate_mean propagated from the error of C0"),
    "gate_std": ("1", "standard deviation of the gate over units and time (the simulation's gate_std)"),
    "gate_std_stderr": ("1", "error of gate_std propagated from the error of C0"),
    "lyapunov_max": ("1", "maximal Lyapunov exponent per step at N = infinity"),
    "lyapunov_max_stderr": ("1", "statistical error of lyapunov_max (per step)"),
    "lyapunov_residual": ("1", "drift of the input lyapunov_max per averaged iteration (per step)"),
    "stability": ("1", "stability parameter s = R(1) of the static branch (onset of chaos at s = 1)"),
    "decay_rate": (
        "1",
        "decay rate kappa (per step) of the connected C_h(tau) (log-slope between 0.3 and 0.03 of its start)",
    ),
    "decay_rate_stderr": ("1", "statistical error of decay_rate (per step)"),
    "lambda2": (
        "1",
        "squared decay rate kappa^2 of the connected C_h (per step^2): the LSTM's analogue of the rate model's lambda2",
    ),
    "lambda2_stderr": ("1", "statistical error of lambda2 (per step^2)"),
    "window_decay": (
        "1",
        "C_h at tau = lags/2 less the mean of the window's last quarter, over the same at 0 (lag-window check)",
    ),
    "iterations": ("1", "iterations of the self-consistency map"),
    "autocorr": ("1", "C_h(tau) = <h(t) h(t+tau)> over units and time (total, not connected)"),
    "autocorr_stderr": ("1", "statistical error of autocorr"),
    "g_c": ("1", "onset of chaos g_c(sigma_b): stability parameter s = 1 on the static branch"),
}

_SCALARS = (
    "regime",
    "status",
    "C0",
    "C0_stderr",
    "C0_residual",
    "C0_static",
    "C_inf",
    "c_square",
    "c_square_stderr",
    "c_square_residual",
    "lyapunov_max",
    "lyapunov_max_stderr",
    "lyapunov_residual",
    "stability",
    "decay_rate",
    "decay_rate_stderr",
    "lambda2",
    "lambda2_stderr",
    "window_decay",
    "iterations",
)
_PER_GATE = ("gate_mean", "gate_mean_stderr", "gate_std", "gate_std_stderr")
_PER_LAG = ("autocorr", "autocorr_stderr")


def solve_grid(g, sigma_b, *, gate_gains=None, bias_means=None, progress: bool | None = None, **options) -> xr.Dataset:
    """Solve the outer-product grid g × σ_b into an annotated Dataset with provenance (dmft_lstm.nc).

    ``gate_gains``/``bias_means`` as in :func:`eoc.meanfield.lstm.solve`; ``progress``: a tqdm bar
    over the points (default: when stderr is a terminal); ``options``: the fields of
    :class:`Options`. Bad input raises InputError before any work."""
    g = np.array(validation.grid("g", g, validation.positive))
    sigma_b = np.array(validation.grid("sigma_b", sigma_b, validation.nonnegative))
    settings = Options(**options)
    points = [Parameters.make(x, s, gate_gains=gate_gains, bias_means=bias_means) for x in g for s in sigma_b]
    if progress is None:
        progress = sys.stderr.isatty()
    solutions = [
        solve_point(p, settings) for p in tqdm(points, desc="LSTM mean field", unit="point", disable=not progress)
    ]

    shape = (g.size, sigma_b.size)
    variables = {}
    for name in _SCALARS:
        values = np.array([getattr(s, name) for s in solutions])
        variables[name] = (
            ("g", "sigma_b"),
            values.reshape(shape).astype(str if values.dtype.kind in "UO" else values.dtype),
        )
    for name in _PER_GATE:
        variables[name] = (
            ("g", "sigma_b", "gate"),
            np.array([getattr(s, name) for s in solutions]).reshape(shape + (3,)),
        )
    for name in _PER_LAG:
        variables[name] = (
            ("g", "sigma_b", "tau"),
            np.array([getattr(s, name) for s in solutions]).reshape(shape + (-1,)),
        )
    variables["g_c"] = (
        ("sigma_b",),
        np.array([onset_gain(s, gate_gains=gate_gains, bias_means=bias_means, nodes=settings.nodes) for s in sigma_b]),
    )
    ds = xr.Dataset(variables, coords={"g": g, "sigma_b": sigma_b, "tau": solutions[0].tau, "gate": ["f", "i", "o"]})
    io.annotate(ds, METADATA)
    config = {
        "g": g.tolist(),
        "sigma_b": sigma_b.tolist(),
        "model": "lstm",
        "gate_gains": dict(gate_gains or {}),
        "bias_means": dict(bias_means or {}),
        **settings.as_dict(),
    }
    ds.attrs.update(io.provenance(config), title="Mean-field theory of the full LSTM (eoc.meanfield.lstm)")
    return ds
