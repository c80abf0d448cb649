"""Combine per-job forecasting files into results/merged/forecast.nc.

Each job file holds one (system, N, seed) and a block of (g, sigma_b) cells with scalar system, N
and seed coordinates; they become dimensions and the files are combined by coordinates
(``xarray.combine_by_coords``), so blocks and jobs in any order give the same dataset. Cells
without a file are NaN.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import xarray as xr

from eoc import io
from eoc.errors import InputError

DIMS = ("system", "g", "sigma_b", "N", "seed")


def merge_forecast(paths: Iterable[str | Path]) -> xr.Dataset:
    """The merged dataset over (system, g, sigma_b, N, seed) of the job files ``paths``."""
    paths = [Path(p) for p in paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise InputError(f"forecast files not found: {', '.join(missing[:5])}" + (" ..." if len(missing) > 5 else ""))
    if not paths:
        raise InputError("no forecast files to merge")
    parts = []
    for path in paths:
        with xr.open_dataset(path) as ds:
            parts.append(ds.load().expand_dims(["system", "N", "seed"]))
    merged = xr.combine_by_coords(parts, combine_attrs="drop_conflicts").transpose(*DIMS)
    merged.attrs.update(io.provenance({"files": [str(p) for p in paths]}, title="merged reservoir forecasting results"))
    return merged
