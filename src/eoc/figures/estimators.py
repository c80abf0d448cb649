"""Estimators behind the finite-size figures: seed statistics, the N → ∞ extrapolation and the
zero-crossing estimate of the critical gain.

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
  Applied to λ_max(g) it gives the finite-size critical gain g_c(N) (λ_max = 0).

NaN entries (missing or failed cells) are dropped before any estimate; an estimate that the
remaining data cannot support is NaN, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from eoc import validation
from eoc.errors import InputError


@dataclass(frozen=True)
class Extrapolation:
    """The fit m(N) = value + slope · N^(-power); ``value`` is the N → ∞ limit (NaN if unfit)."""

    value: float
    stderr: float
    slope: float
    slope_stderr: float
    sizes_used: int


_NO_FIT = Extrapolation(np.nan, np.nan, np.nan, np.nan, 0)


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
            f"sizes, means and stderrs must have one shape, got {sizes.shape}, {means.shape}, "
            f"{stderrs.shape}"
        )
    keep = np.isfinite(means) & np.isfinite(sizes) & (sizes > 0)
    x, y, s = sizes[keep] ** -power, means[keep], stderrs[keep]
    if np.unique(x).size < 2:
        return _NO_FIT
    weighted = bool(np.all(np.isfinite(s) & (s > 0)))
    if weighted:
        coef, cov = np.polyfit(x, y, 1, w=1.0 / s, cov="unscaled")
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
    sizes = values[size_dim].astype(float)

    def fit(m, s):
        e = fit_inverse_size(sizes.values, m, s, power=power)
        return e.value, e.stderr, e.slope, e.sizes_used

    value, stderr, slope, used = xr.apply_ufunc(
        fit,
        means,
        stderrs,
        input_core_dims=[[size_dim], [size_dim]],
        output_core_dims=[[], [], [], []],
        vectorize=True,
        output_dtypes=[float, float, float, int],
    )
    return xr.Dataset({"value": value, "stderr": stderr, "slope": slope, "sizes_used": used})


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


def critical_gain(
    lyapunov: xr.DataArray, *, gain_dim: str = "g", seed_dim: str = "seed"
) -> xr.Dataset:
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
