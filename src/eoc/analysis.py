"""Analysis of the merged files: status-aware quenched averages, the N → ∞ extrapolation and the
zero-crossing estimate of the critical gain (the figures use these; so can a notebook).

    import eoc
    from eoc import analysis
    sims = eoc.open_simulations("results/merged/simulations.nc")
    lam = sims.lyapunov_max.sel(model="rate", sigma_b=0.0)
    avg = analysis.quenched_average(lam, sims.status.sel(model="rate", sigma_b=0.0))
    avg["mean"], avg["stderr"], avg["count"], avg["status_count"]   # over g, N
    fit = analysis.extrapolate_infinite_size(analysis.usable(lam, sims.status.sel(model="rate", sigma_b=0.0)))
    fit["value"], fit["stderr"]                                      # the N → ∞ limit over g

* Which realisations count (:func:`usable`, :func:`quenched_average`): by default every cell except
  those in :data:`eoc.status.EXCLUDED_BY_DEFAULT` (``diverged`` and the cells without data:
  ``missing``, ``unreadable``, ``incomplete``). Fixed points and limit cycles at finite N are
  physics, not failures: dropping them would bias the quenched average. ``exclude=`` or
  ``include=`` choose otherwise; the result counts the cells of every status.
* Seed statistics: mean over network realisations and its standard error s/√n (n the number of
  finite seeds; NaN where fewer than two seeds are finite).
* Extrapolation in 1/N: the seed means m(N) are fitted with the finite-size form

      m(N) = a + b N^(-p)        (p = 1 by default: the leading 1/N correction)

  by weighted linear least squares in x = N^(-p) (``numpy.polyfit``). When every size has a seed
  standard error, the weights are 1/stderr and the parameter covariance is taken as absolute (the
  seeds are the uncertainty); otherwise the fit is unweighted and the covariance is scaled by the
  residuals (χ²/dof), which needs more sizes than parameters. a is the N → ∞ value.
* Zero crossing: the first upward sign change of y(x) between neighbouring finite points, located
  by linear interpolation, x0 = x1 − y1 (x2 − x1)/(y2 − y1), with the standard error propagated
  from the two bracketing points,
  σ(x0)² = (x2 − x1)² (y2² σ1² + y1² σ2²) / (y2 − y1)⁴.
  Applied to λ_max(g) it gives the finite-size critical gain g_c(N) (λ_max = 0), and
  :func:`critical_gain_limit` fits those in 1/N (weights: their propagated errors) for g_c(∞).

NaN entries (missing or failed cells) are dropped before any estimate; an estimate that the
remaining data cannot support is NaN, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from eoc import status as statuses
from eoc import validation
from eoc.errors import InputError


@dataclass(frozen=True)
class Extrapolation:
    """The fit m(N) = value + slope · N^(-power); ``value`` is the N → ∞ limit (NaN if unfit).
    ``chi2_per_dof``: χ²/dof of a weighted fit with more sizes than parameters (else NaN); much
    above 1, the means scatter more than their errors say and ``stderr`` is too small (the
    scale factor √(χ²/dof) is the usual correction: :func:`critical_gain_limit`)."""

    value: float
    stderr: float
    slope: float
    slope_stderr: float
    sizes_used: int
    chi2_per_dof: float = np.nan


_NO_FIT = Extrapolation(np.nan, np.nan, np.nan, np.nan, 0)


def usable(values: xr.DataArray, status: xr.DataArray, *, exclude=None, include=None) -> xr.DataArray:
    """``values`` with NaN wherever the cell's ``status`` is not counted.

    ``status`` holds names of :data:`eoc.status.SIMULATION` (as :func:`eoc.open_simulations` gives
    them) over some of the dimensions of ``values``. Counted: the statuses in ``include`` if given,
    else every status not in ``exclude`` (default :data:`eoc.status.EXCLUDED_BY_DEFAULT`; a given
    ``exclude`` replaces that list)."""
    counted = _counted(exclude, include)
    return values.where(status.isin(list(counted)))


def quenched_average(
    values: xr.DataArray, status: xr.DataArray, *, dim: str = "seed", exclude=None, include=None
) -> xr.Dataset:
    """The mean over realisations (``dim``) of the counted cells (:func:`usable`), its standard
    error, the count of finite values used, and ``status_count``: the number of cells of each
    status (dimension ``status``, every name of :data:`eoc.status.SIMULATION`) over ``dim``.

    A counted cell whose value is NaN (a quantity that does not exist there, such as a correlation
    time at a fixed point) is not in ``count``; compare ``count`` with ``status_count``."""
    stats = seed_statistics(usable(values, status, exclude=exclude, include=include), dim=dim)
    names = list(statuses.SIMULATION)
    counts = xr.concat([(status == name).sum(dim) for name in names], dim="status")
    stats["status_count"] = counts.assign_coords(status=names)
    stats.attrs["counted_statuses"] = " ".join(_counted(exclude, include))
    return stats


def _counted(exclude, include) -> tuple[str, ...]:
    if include is not None and exclude is not None:
        raise InputError("give exclude or include, not both")
    for name in (*(include or ()), *(exclude or ())):
        validation.choice("status", name, statuses.SIMULATION)
    if include is not None:
        return tuple(include)
    excluded = statuses.EXCLUDED_BY_DEFAULT if exclude is None else tuple(exclude)
    return tuple(name for name in statuses.SIMULATION if name not in excluded)


def seed_statistics(values: xr.DataArray, *, dim: str = "seed") -> xr.Dataset:
    """Mean over ``dim``, its standard error s/√n and the count n of finite entries.

    The standard error uses the sample standard deviation (ddof = 1); it is NaN where n < 2.
    """
    count = values.count(dim)
    mean = values.mean(dim, skipna=True)
    std = values.std(dim, skipna=True, ddof=1)
    stderr = (std / np.sqrt(count)).where(count >= 2)
    return xr.Dataset({"mean": mean, "stderr": stderr, "count": count})


def fit_inverse_size(sizes, means, stderrs=None, *, power: float = 1.0) -> Extrapolation:
    """Fit ``means`` = a + b · sizes^(-power) and return a (the N → ∞ value) with its uncertainty.

    ``stderrs`` are the seed standard errors of ``means`` (same length, may hold NaN). Entries with
    a non-finite mean are dropped. See the module docstring for the weighting rule.
    """
    power = validation.positive("power", power)
    sizes = np.asarray(sizes, dtype=float)
    means = np.asarray(means, dtype=float)
    stderrs = np.full_like(means, np.nan) if stderrs is None else np.asarray(stderrs, dtype=float)
    if not sizes.shape == means.shape == stderrs.shape:
        raise InputError(
            f"sizes, means and stderrs must have one shape, got {sizes.shape}, {means.shape}, {stderrs.shape}"
        )
    keep = np.isfinite(means) & np.isfinite(sizes) & (sizes > 0)
    x, y, s = sizes[keep] ** -power, means[keep], stderrs[keep]
    if np.unique(x).size < 2:
        return _NO_FIT
    weighted = bool(np.all(np.isfinite(s) & (s > 0)))
    chi2 = np.nan
    if weighted:
        coef, cov = np.polyfit(x, y, 1, w=1.0 / s, cov="unscaled")
        if x.size > 2:
            chi2 = float((((y - np.polyval(coef, x)) / s) ** 2).sum() / (x.size - 2))
    elif x.size > 2:
        coef, cov = np.polyfit(x, y, 1, cov=True)
    else:
        coef, cov = np.polyfit(x, y, 1), np.full((2, 2), np.nan)
    slope, value = coef
    return Extrapolation(
        value=float(value),
        stderr=float(np.sqrt(cov[1, 1])),
        slope=float(slope),
        slope_stderr=float(np.sqrt(cov[0, 0])),
        sizes_used=int(x.size),
        chi2_per_dof=chi2,
    )


def extrapolate_infinite_size(
    values: xr.DataArray, *, size_dim: str = "N", seed_dim: str = "seed", power: float = 1.0
) -> xr.Dataset:
    """N → ∞ extrapolation of ``values`` at every point of its other dimensions.

    Returns a Dataset with ``value``, ``stderr``, ``slope`` and ``sizes_used`` over the dimensions of
    ``values`` other than ``size_dim`` and ``seed_dim``.
    """
    stats = seed_statistics(values, dim=seed_dim) if seed_dim in values.dims else None
    means = stats["mean"] if stats is not None else values
    stderrs = stats["stderr"] if stats is not None else xr.full_like(values, np.nan)
    return extrapolate_means(means, stderrs, size_dim=size_dim, power=power)


def extrapolate_means(
    means: xr.DataArray, stderrs: xr.DataArray | None = None, *, size_dim: str = "N", power: float = 1.0
) -> xr.Dataset:
    """:func:`fit_inverse_size` of ``means`` (with their standard errors ``stderrs``, or NaN) over
    ``size_dim`` at every point of their other dimensions: ``value``, ``stderr``, ``slope`` and
    ``sizes_used``, ``chi2_per_dof`` (e.g. the finite-size critical gains g_c(N) of
    :func:`critical_gain`)."""
    stderrs = xr.full_like(means, np.nan, dtype=float) if stderrs is None else stderrs
    sizes = means[size_dim].astype(float)

    def fit(m, s):
        e = fit_inverse_size(sizes.values, m, s, power=power)
        return e.value, e.stderr, e.slope, e.sizes_used, e.chi2_per_dof

    value, stderr, slope, used, chi2 = xr.apply_ufunc(
        fit,
        means,
        stderrs,
        input_core_dims=[[size_dim], [size_dim]],
        output_core_dims=[[], [], [], [], []],
        vectorize=True,
        output_dtypes=[float, float, float, int, float],
    )
    return xr.Dataset({"value": value, "stderr": stderr, "slope": slope, "sizes_used": used, "chi2_per_dof": chi2})


def zero_crossing(x, y, y_stderr=None) -> tuple[float, float]:
    """First upward zero of y(x) by linear interpolation, and its propagated standard error.

    Points with a non-finite ``x`` or ``y`` are dropped; ``x`` need not be sorted. A point where y
    is exactly 0 after a negative neighbour is the root itself. Returns (NaN, NaN) when y has no
    upward sign change; the error is NaN when a bracketing point has no standard error.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    s = np.full_like(y, np.nan) if y_stderr is None else np.asarray(y_stderr, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    order = np.argsort(x[keep])
    x, y, s = x[keep][order], y[keep][order], s[keep][order]
    crossings = np.flatnonzero((y[:-1] < 0) & (y[1:] >= 0))
    if crossings.size == 0:
        return np.nan, np.nan
    k = crossings[0]
    (x1, x2), (y1, y2), (s1, s2) = x[k : k + 2], y[k : k + 2], s[k : k + 2]
    root = x1 - y1 * (x2 - x1) / (y2 - y1)
    stderr = abs(x2 - x1) * np.sqrt(y2**2 * s1**2 + y1**2 * s2**2) / (y2 - y1) ** 2
    return float(root), float(stderr)


def critical_gain(lyapunov: xr.DataArray, *, gain_dim: str = "g", seed_dim: str = "seed") -> xr.Dataset:
    """g_c from the zero crossing of the seed-averaged maximal exponent λ_max(g).

    Returns a Dataset with ``g_c`` and ``g_c_stderr`` over the dimensions of ``lyapunov`` other
    than ``gain_dim`` and ``seed_dim`` (e.g. model, sigma_b, N).
    """
    stats = seed_statistics(lyapunov, dim=seed_dim) if seed_dim in lyapunov.dims else None
    means = stats["mean"] if stats is not None else lyapunov
    stderrs = stats["stderr"] if stats is not None else xr.full_like(lyapunov, np.nan)
    gains = lyapunov[gain_dim].astype(float).values
    root, stderr = xr.apply_ufunc(
        lambda m, s: zero_crossing(gains, m, s),
        means,
        stderrs,
        input_core_dims=[[gain_dim], [gain_dim]],
        output_core_dims=[[], []],
        vectorize=True,
        output_dtypes=[float, float],
    )
    return xr.Dataset({"g_c": root, "g_c_stderr": stderr})


def critical_gain_limit(
    lyapunov: xr.DataArray, *, gain_dim: str = "g", seed_dim: str = "seed", size_dim: str = "N", power: float = 1.0
) -> xr.Dataset:
    """The finite-size critical gains and their N → ∞ limit: g_c(N) = the zero crossing of the
    seed-mean λ_max(g) at each N (:func:`critical_gain`, error from the seeds), then the weighted
    fit g_c(N) = g_c + a N^(-power) (:func:`fit_inverse_size`; the g_c(N) errors are its weights).

    Returns a Dataset with ``g_c_N``, ``g_c_N_stderr`` (over ``size_dim`` and the other dimensions)
    and ``g_c``, ``g_c_stderr``, ``slope``, ``sizes_used``, ``chi2_per_dof`` (over the other
    dimensions, e.g. sigma_b, mu_f). ``g_c_stderr`` is the fit's error scaled by
    max(1, √(χ²/dof)): where the g_c(N) scatter about the 1/N line more than their errors allow
    (a form that does not hold over these N, or errors that are too small), the error grows with
    the scatter. A size without a crossing in the gain grid is left out of the fit."""
    per_size = critical_gain(lyapunov, gain_dim=gain_dim, seed_dim=seed_dim)
    limit = extrapolate_means(per_size["g_c"], per_size["g_c_stderr"], size_dim=size_dim, power=power)
    return xr.Dataset(
        {
            "g_c_N": per_size["g_c"],
            "g_c_N_stderr": per_size["g_c_stderr"],
            "g_c": limit["value"],
            "g_c_stderr": limit["stderr"] * np.sqrt(np.fmax(limit["chi2_per_dof"].fillna(1.0), 1.0)),
            "slope": limit["slope"],
            "sizes_used": limit["sizes_used"],
            "chi2_per_dof": limit["chi2_per_dof"],
        }
    )
