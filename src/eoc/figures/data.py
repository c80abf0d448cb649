"""Reading the two merged files for the figures: checks of their dimensions, selections that never
fail on missing cells, and the list of gaps that a figure writes under its axes.

The files follow the data contract (docs/interfaces.md), read with :func:`eoc.contract.open_simulations`
and :func:`eoc.contract.open_dmft`: ``simulations.nc`` over (model, g, sigma_b, mu_f, N, seed) with a
``status`` variable (names of :mod:`eoc.status`; cells without data are NaN), ``dmft.nc`` over
(g, sigma_b) with ``tau``, ``C0_trial``. A model, a variable or a whole file may be absent: the selection helpers then
return ``None`` and the figure says so instead of failing. A simulated value counts where its
cell's status does (:func:`eoc.analysis.usable`: all but ``diverged`` and the cells without data).
The forget-gate bias mean ``mu_f`` is optional (files from before it read as μ = 0); a selection
that does not name it takes μ_f = 0 (:data:`UNBIASED`): the figures are about the network with zero
bias means, except those that select ``mu_f`` themselves (:func:`eoc.figures.lstm_phase_diagram`).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import xarray as xr

from eoc import analysis, contract, validation
from eoc.errors import InputError
from eoc.simulate import models

#: The dimensions a simulations dataset must have (``mu_f`` may be absent: μ = 0).
SIMULATION_DIMS = ("model", "g", "sigma_b", "N", "seed")
#: The bias-mean dimension and the value a selection takes when it does not name it.
BIAS_MEAN = contract.BIAS_MEAN
UNBIASED = 0.0
DMFT_DIMS = ("g", "sigma_b")
MODELS = tuple(models.MODELS)


def check(simulations: xr.Dataset | None, dmft: xr.Dataset | None) -> None:
    """Raise InputError unless each given dataset has the dimensions of its data contract."""
    for label, ds, dims in (("simulations", simulations, SIMULATION_DIMS), ("dmft", dmft, DMFT_DIMS)):
        if ds is None:
            continue
        if not isinstance(ds, xr.Dataset):
            raise InputError(f"{label} must be an xarray.Dataset or None, got {type(ds).__name__}")
        absent = [d for d in dims if d not in ds.dims]
        if absent:
            raise InputError(
                f"{label} dataset lacks the dimension(s) {', '.join(absent)} of the data contract "
                f"(it has {', '.join(map(str, ds.dims)) or 'none'})"
            )


def variable(ds: xr.Dataset | None, name: str, **selection) -> xr.DataArray | None:
    """``ds[name]`` at ``selection`` (exact labels, e.g. model="rate"), or None where the file, the
    variable or a selected label is absent, or where every selected value is NaN. Simulated numbers
    are NaN where the cell's status is not counted (:func:`eoc.analysis.usable`). Without ``mu_f`` in
    ``selection``, a dataset with that dimension is taken at mu_f = 0 (:data:`UNBIASED`);
    ``mu_f=None`` keeps the dimension; a dataset without it is at mu_f = 0."""
    if ds is None or name not in ds:
        return None
    selection = {BIAS_MEAN: UNBIASED, **selection}
    if BIAS_MEAN not in ds[name].dims and selection[BIAS_MEAN] in (None, UNBIASED):
        del selection[BIAS_MEAN]  # a file from before the bias-mean coordinate: mu_f = 0
    selection = {dim: label for dim, label in selection.items() if label is not None}
    da = ds[name]
    status = ds["status"] if "status" in ds and "model" in ds.dims and name != "status" else None
    for dim, label in selection.items():
        if dim not in da.dims or label not in da[dim].values:
            return None
        da = da.sel({dim: label})
        status = status.sel({dim: label}) if status is not None and dim in status.dims else status
    if status is not None and da.dtype.kind == "f":
        da = analysis.usable(da, status)
    if da.dtype.kind == "f" and not np.isfinite(da.values).any():
        return None
    return da


def nearest(ds: xr.Dataset | None, dim: str, value) -> float | None:
    """The grid value of ``dim`` in ``ds`` closest to ``value`` (None if ``ds`` or ``dim`` is absent)."""
    value = validation.finite(dim, value)
    if ds is None or dim not in ds.coords or ds[dim].size == 0:
        return None
    grid = ds[dim].values.astype(float)
    return float(grid[np.argmin(np.abs(grid - value))])


def spread(values, count: int) -> list:
    """At most ``count`` entries of ``values``, evenly spaced, first and last included."""
    values = list(values)
    if len(values) <= count:
        return values
    picks = np.unique(np.round(np.linspace(0, len(values) - 1, count)).astype(int))
    return [values[k] for k in picks]


def at_points(da: xr.DataArray, g, sigma_b) -> xr.DataArray:
    """DMFT variable ``da`` (over g, sigma_b) at the simulation grid: linear interpolation along a
    dimension with two or more values, exact (nearest, tolerance 1e-9) along a single value; NaN
    outside the DMFT grid."""
    targets = {"g": np.asarray(g, dtype=float), "sigma_b": np.asarray(sigma_b, dtype=float)}
    for dim, target in targets.items():
        if da.sizes[dim] >= 2:
            da = da.interp({dim: target})
        else:
            da = da.reindex({dim: target}, method="nearest", tolerance=1e-9)
    return da


def gaps(values: xr.DataArray, status: xr.DataArray | None = None, *, limit: int = 4) -> list[str]:
    """Describe the NaN cells of ``values``, at most ``limit`` entries plus a count.

    Whole slices come first (every cell at one label of a dimension: a model, a size N, a gain, a
    bias, a seed), then the remaining cells one entry per coordinate set other than seed, naming
    the lost seeds. Each entry ends with the statuses of its cells, most common first."""
    missing = values.isnull()
    if not bool(missing.any()):
        return []
    reasons = None if status is None else status.broadcast_like(values).astype(str)
    remaining = missing.copy()
    entries = []
    order = [d for d in (*SIMULATION_DIMS[:1], "N", "g", "sigma_b", "seed") if d in values.dims]
    for dim in order + [d for d in values.dims if d not in order]:
        for label in values[dim].values:
            where = {dim: label}
            if bool(missing.loc[where].all()) and bool(remaining.loc[where].any()):
                entries.append(f"{_symbol(dim)}={_label(label)}: all cells" + _reason(reasons, missing, where))
                remaining.loc[where] = False
    outer = [d for d in values.dims if d != "seed"]
    for cell in np.argwhere(remaining.any("seed").values if "seed" in values.dims else remaining.values):
        where = {d: values[d].values[k] for d, k in zip(outer, cell, strict=True)}
        text = ", ".join(f"{_symbol(d)}={_label(v)}" for d, v in where.items())
        if "seed" in values.dims:
            lost = values["seed"].values[remaining.loc[where].values]
            text += " all seeds" if lost.size == values.sizes["seed"] else " seed " + ",".join(map(str, lost))
        entries.append(text + _reason(reasons, remaining, where))
    if len(entries) > limit:
        entries = entries[:limit] + [f"and {len(entries) - limit} more"]
    return entries


def _reason(reasons: xr.DataArray | None, mask: xr.DataArray, where: dict) -> str:
    """ " (status, ...)": the statuses of the masked cells at ``where``, most common first."""
    if reasons is None:
        return ""
    found = np.asarray(reasons.loc[where].values)[np.asarray(mask.loc[where].values)]
    counts = Counter(found.ravel().tolist()).most_common()
    return f" ({', '.join(status for status, _ in counts)})" if counts else ""


def gap_note(name: str, values: xr.DataArray | None, status: xr.DataArray | None = None) -> list[str]:
    """A footnote line listing the gaps of ``values`` (or saying that it is absent)."""
    if values is None:
        return [f"{name}: no data"]
    found = gaps(values, status)
    return [f"{name} gaps: " + "; ".join(found)] if found else []


def union(*arrays: xr.DataArray | None) -> xr.DataArray | None:
    """One array over the contract's dimensions that is NaN wherever any of ``arrays`` is NaN
    (extra dimensions such as gate or lag reduced with "any"); None if every array is None."""
    masks = []
    for da in arrays:
        if da is None:
            continue
        extra = [d for d in da.dims if d not in (*SIMULATION_DIMS, BIAS_MEAN)]
        masks.append(da.isnull().any(extra) if extra else da.isnull())
    if not masks:
        return None
    missing = masks[0]
    for mask in masks[1:]:
        missing = missing | mask
    return xr.zeros_like(missing, dtype=float).where(~missing)


def _symbol(dim: str) -> str:
    return {"sigma_b": "σ_b", BIAS_MEAN: "μ_f"}.get(dim, dim)


def _label(value) -> str:
    if isinstance(value, float | np.floating):
        return f"{value:g}"
    return str(value)
