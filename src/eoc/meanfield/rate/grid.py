"""Solve the DMFT of the rate model on an outer-product grid of (g, σ_b) into the dmft.nc schema.

Per point (docs/science.md §2–3): the static solution C0_static and its stability; in the chaotic regime
the energy-conservation solution (C0, C∞), the curve C(τ) and the Lyapunov exponent from the
Schrödinger problem; in the fixed-point regime C(τ) ≡ C0 = C∞ = C0_static and the closed forms.
Everything except the curves and the Schrödinger problems is vectorised over the whole grid.

Convention for λ² (documented here because the draft is silent): λ² = −V''(C∞) is the squared decay
rate of C(τ) − C∞. In the fixed-point regime the linearisation is taken at the static solution,
C∞ = C0 = C0_static, which gives λ² = (1 − s)/4 ≥ 0 with s the fixed point's stability parameter;
in the chaotic regime C∞ is a maximum of V, so λ² > 0 as well; λ² → 0 at the fixed-point boundary
from both sides, where τ∞ = 1/√λ² diverges (written as +inf where λ² = 0 exactly). Nothing is
clipped: a negative λ² would be a solver failure and is written as computed, with τ∞ = NaN.

A point where a solver fails keeps NaN in the affected variables and says why in ``status``;
the rest of the grid is solved.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import xarray as xr
from tqdm import tqdm

from eoc import io, validation
from eoc.meanfield.rate.chaotic import chaotic_solution, decay_rate_squared, decay_rate_squared_factorized
from eoc.meanfield.rate.curve import CurveError, correlation_curve
from eoc.meanfield.rate.lyapunov import continuum_bound, lyapunov_chaotic, lyapunov_fixed_point
from eoc.meanfield.rate.options import Options
from eoc.meanfield.rate.static import fixed_point_boundary, stability_parameter, static_map, static_variance

ODD_MODE_TOLERANCE = 1e-6
"""Largest accepted |E1 + 1/4| of the time-translation mode before the status flags the point."""

METADATA = {
    "g": ("", "gain g", "recurrent gain: J_ij ~ N(0, g^2/N)"),
    "sigma_b": ("", "bias spread sigma_b", "standard deviation of the biases"),
    "tau": ("1", "time lag tau", "in the rate model's time constant"),
    "C0_trial": ("1", "trial variance C0", "abscissa of f_g"),
    "C0": ("1", "variance C0", "C(0) of h: the chaotic solution in the chaotic regime, the static one otherwise"),
    "C0_static": ("1", "static variance", "variance of the static solution C0 = f_g(C0)"),
    "C_inf": ("1", "C_inf", "limit of C(tau) as tau -> infinity"),
    "lambda2": (
        "1",
        "lambda2",
        "squared decay rate of C(tau) - C_inf, per time constant squared: 1/4 - (g^2/16) E[phi'(u) phi'(v)] at C_inf",
    ),
    "lambda2_factorized": (
        "1",
        "factorised lambda2",
        "the draft's 1/4 - (g^2/16) E[phi'(sqrt(C0) z)]^2, per time constant squared",
    ),
    "tau_inf": ("1", "asymptotic correlation time", "1/sqrt(lambda2), in the time constant"),
    "lyapunov_max": ("1", "maximal Lyapunov exponent", "from the DMFT, per time constant"),
    "lyapunov_bound": (
        "1",
        "continuum bound",
        "-1/2 + sqrt(1/4 - lambda2), a bound on lyapunov_max, per time constant",
    ),
    "odd_mode_error": (
        "1",
        "time-translation mode error",
        "E1 + 1/4 of the time-translation mode (accuracy check, NaN off chaos), per time constant squared",
    ),
    "regime": ("", "regime", "fixed_point or chaotic (unknown where the static solve failed)"),
    "status": ("", "solver status", "ok, or the reason of a solver failure"),
    "autocorr": ("1", "autocorrelation", "C(tau) = <h(t) h(t+tau)>"),
    "g_c": ("1", "fixed-point boundary g_c", "the fixed point is stable for g < g_c(sigma_b)"),
    "f_g": ("1", "static map f_g", "the draft's f_g(C0) = (g^2/4) E[phi(sqrt(C0) z)^2] + 4 sigma_b^2"),
}


@dataclass(frozen=True)
class Solution:
    """The DMFT solution at one (g, σ_b); see :data:`METADATA` for meanings and units."""

    g: float
    sigma_b: float
    C0: float
    C0_static: float
    C_inf: float
    lambda2: float
    lambda2_factorized: float
    tau_inf: float
    lyapunov_max: float
    lyapunov_bound: float
    odd_mode_error: float
    regime: str
    status: str
    tau: np.ndarray
    autocorr: np.ndarray


def _tau_grid(options: Options) -> np.ndarray:
    return options.tau_step * np.arange(int(np.floor(options.tau_max / options.tau_step + 1e-9)) + 1)


def _solve_points(g: np.ndarray, sigma_b: np.ndarray, options: Options, *, progress: bool) -> dict:
    """Solve flat arrays of points; returns a dict of arrays (first axis: the points)."""
    gauss = {"nodes": options.nodes, "inner_nodes": options.inner_nodes}
    tau = _tau_grid(options)
    status = np.full(g.shape, "ok", dtype=object)

    C0_static, static_ok = static_variance(g, sigma_b, nodes=options.nodes)
    status[~static_ok] = "static solution did not converge"
    # C0_static > 0 keeps g = 2, σ_b = 0 (s = 1 up to rounding) marginal, i.e. on the fixed-point side.
    chaotic = static_ok & (stability_parameter(g, C0_static, nodes=options.nodes) > 1.0) & (C0_static > 0)
    regime = np.where(chaotic, "chaotic", np.where(static_ok, "fixed_point", "unknown")).astype(object)

    C0, C_inf = C0_static.copy(), C0_static.copy()
    if chaotic.any():
        C0[chaotic], C_inf[chaotic], converged = chaotic_solution(
            g[chaotic], sigma_b[chaotic], C0_static[chaotic], maxiter=options.maxiter, **gauss
        )
        status[np.flatnonzero(chaotic)[~converged]] = "chaotic solution did not converge"

    solved = np.isfinite(C0)
    lambda2 = decay_rate_squared(g, np.nan_to_num(C_inf), np.nan_to_num(C0), **gauss)
    lambda2_factorized = decay_rate_squared_factorized(g, np.nan_to_num(C0), nodes=options.nodes)
    lambda2[~solved] = lambda2_factorized[~solved] = np.nan
    lyapunov_max = lyapunov_fixed_point(g, np.nan_to_num(C0_static), nodes=options.nodes)
    lyapunov_max[chaotic | ~static_ok] = np.nan  # chaotic points: from the Schrödinger problem below
    # The zero fixed point (σ_b = 0, g ≤ 2) in closed form, so that g = 2 gives λ² = 0 exactly.
    zero = C0_static == 0
    lambda2[zero] = lambda2_factorized[zero] = 0.25 - g[zero] ** 2 / 16
    lyapunov_max[zero] = -0.5 + g[zero] / 4
    with np.errstate(divide="ignore", invalid="ignore"):
        tau_inf = np.where(lambda2 >= 0, 1.0 / np.sqrt(lambda2), np.nan)
        lyapunov_bound = continuum_bound(lambda2)
    odd_mode_error = np.full(g.shape, np.nan)
    autocorr = np.where(chaotic[:, None], np.nan, C0_static[:, None] * np.ones(tau.size))

    points = np.flatnonzero(chaotic & solved)
    for i in tqdm(points, desc="C(tau) and lambda_max", unit="point", disable=not progress):
        box = max(options.min_box, options.box_decay_lengths / np.sqrt(lambda2[i]))
        try:
            curve = correlation_curve(
                g[i],
                sigma_b[i],
                C0[i],
                C_inf[i],
                tau_extent=max(box, options.tau_max),
                degree=options.chebyshev_degree,
                **gauss,
            )
        except CurveError as error:
            status[i] = f"correlation curve failed: {error}"
            continue
        autocorr[i] = curve(tau)
        lyapunov_max[i], odd_mode_error[i] = lyapunov_chaotic(curve, box=box, step=box / options.box_points)
        if not abs(odd_mode_error[i]) <= ODD_MODE_TOLERANCE:
            status[i] = f"inaccurate: time-translation mode E1 + 1/4 = {odd_mode_error[i]:.2e}"

    return {
        "C0": C0,
        "C0_static": C0_static,
        "C_inf": C_inf,
        "lambda2": lambda2,
        "lambda2_factorized": lambda2_factorized,
        "tau_inf": tau_inf,
        "lyapunov_max": lyapunov_max,
        "lyapunov_bound": lyapunov_bound,
        "odd_mode_error": odd_mode_error,
        "regime": regime,
        "status": status,
        "autocorr": autocorr,
    }


def solve(g, sigma_b, **options) -> Solution:
    """The DMFT solution at one point (g > 0, σ_b ≥ 0); ``options`` are the fields of :class:`Options`."""
    g = validation.positive("g", g)
    sigma_b = validation.nonnegative("sigma_b", sigma_b)
    settings = Options(**options)
    result = _solve_points(np.array([g]), np.array([sigma_b]), settings, progress=False)
    first = {name: value[0] for name, value in result.items()}
    scalars = {name: value.item() if isinstance(value, np.generic) else value for name, value in first.items()}
    return Solution(g=g, sigma_b=sigma_b, tau=_tau_grid(settings), **scalars)


def solve_grid(g, sigma_b, *, progress: bool | None = None, **options) -> xr.Dataset:
    """Solve the outer-product grid g × σ_b into an annotated Dataset with provenance (dmft.nc).

    ``progress``: a tqdm bar over the chaotic points (default: when stderr is a terminal).
    ``options``: the fields of :class:`Options`. Bad input raises InputError before any work."""
    g = np.array(validation.grid("g", g, validation.positive))
    sigma_b = np.array(validation.grid("sigma_b", sigma_b, validation.nonnegative))
    settings = Options(**options)
    if progress is None:
        progress = sys.stderr.isatty()
    G, S = np.meshgrid(g, sigma_b, indexing="ij")
    result = _solve_points(G.ravel(), S.ravel(), settings, progress=progress)
    tau = _tau_grid(settings)
    C0_trial = np.linspace(0.0, settings.c0_trial_max, settings.c0_trial_count)

    grid_dims = ("g", "sigma_b")
    variables = {name: (grid_dims, value.reshape(G.shape)) for name, value in result.items() if name != "autocorr"}
    variables["autocorr"] = (grid_dims + ("tau",), result["autocorr"].reshape(G.shape + (tau.size,)))
    variables["g_c"] = (("sigma_b",), fixed_point_boundary(sigma_b, nodes=settings.nodes))
    variables["f_g"] = (
        grid_dims + ("C0_trial",),
        static_map(C0_trial, G[..., None], S[..., None], nodes=settings.nodes),
    )
    ds = xr.Dataset(variables, coords={"g": g, "sigma_b": sigma_b, "tau": tau, "C0_trial": C0_trial})
    io.annotate(ds, METADATA)
    config = {"g": g.tolist(), "sigma_b": sigma_b.tolist(), **settings.as_dict()}
    ds.attrs.update(io.provenance(config, title="eoc: DMFT of the rate model (eoc.meanfield.rate)"))
    return ds
