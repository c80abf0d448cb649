"""Combine per-job netCDF files into the two merged files of the data contract.

``merge_simulations``: each per-job file holds one (model, N, seed) and one or a block of (g,
sigma_b) cells. Every file is stacked into a 1-D ``cell`` dimension, the files are concatenated
(``xarray.concat``) and unstacked back onto (model, g, sigma_b, N, seed), so that a batched job
and the same cells run one by one merge to the same dataset, and a sparse set of cells is fine.

``merge_dmft``: the per-job files are blocks of a (g, sigma_b) product grid and are combined with
``xarray.combine_by_coords``.

Both then reindex onto the expected grid (when given): a cell without a file is NaN with
``status = "missing"``, it is logged, and the file's ``missing_cells`` attribute lists it (JSON).
With ``require_complete=True`` a missing cell is an error instead.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import xarray as xr

from eoc import io
from eoc.errors import InputError
from eoc.logs import get_logger

SIMULATION_DIMS = ("model", "g", "sigma_b", "N", "seed")
DMFT_DIMS = ("g", "sigma_b")
MISSING = "missing"
_LOGGED_MISSING = 20
_CHUNK = 250  # files per task of the reading processes

log = get_logger(__name__)


class IncompleteGridError(InputError):
    """``require_complete`` was asked for and some expected cells have no result."""


def merge_simulations(
    paths: Iterable[str | os.PathLike], *, expect: Mapping[str, Sequence] | None = None,
    require_complete: bool = False, config: Mapping | None = None, workers: int | None = None,
) -> xr.Dataset:
    """Merge per-job simulation files onto (model, g, sigma_b, N, seed).

    ``expect`` maps each of those dimensions to its values (the sweep's grid); cells of the
    product grid without a file are reported missing. A path that does not exist counts as a
    missing job, not as an error. Each cell keeps the MPI size of the job that produced it
    (variable ``mpi_size``). Files are read by ``workers`` processes (default: the usable
    cores) when there are more than a few hundred.
    """
    paths = [Path(p) for p in paths]
    chunks = [paths[i : i + _CHUNK] for i in range(0, len(paths), _CHUNK)]
    workers = workers or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count())
    if workers > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(chunks))) as pool:
            parts = list(pool.map(_read_cells, chunks))
    else:
        parts = [_read_cells(chunk) for chunk in chunks]
    parts = [part for part in parts if part is not None]
    if parts:
        merged = xr.concat(parts, dim="cell", data_vars="all", coords="different", compat="equals",
                           join="outer", combine_attrs="override")
        merged = merged.set_index(cell=list(SIMULATION_DIMS))
        _check_unique_cells(merged)
        merged = merged.unstack("cell")
    else:
        merged = xr.Dataset(coords={d: [] for d in SIMULATION_DIMS})
    revisions = sorted(set().union(*(json.loads(p.attrs["source_git_revisions"]) for p in parts)))
    merged.attrs = {"merged_from_files": sum(p.attrs["merged_from_files"] for p in parts),
                    "source_git_revisions": json.dumps(revisions)}
    merged = _complete(merged, SIMULATION_DIMS, expect, require_complete)
    io.annotate(merged, {"mpi_size": ("1", "MPI ranks of the job that computed the cell")})
    return _with_provenance(merged, config)


def _read_cells(paths: list[Path]) -> xr.Dataset | None:
    """Read per-job simulation files and concatenate their cells along ``cell`` (no index yet).

    Runs in a worker process; the attributes of the result count the files and their revisions."""
    datasets = _read(paths, SIMULATION_DIMS)
    if not datasets:
        return None
    cells = [_with_mpi_size(ds).stack(cell=SIMULATION_DIMS, create_index=False) for ds in datasets]
    part = xr.concat(cells, dim="cell", data_vars="all", coords="different", compat="equals",
                     join="outer", combine_attrs="override")
    part.attrs = {"merged_from_files": len(datasets), "source_git_revisions": json.dumps(_revisions(datasets))}
    return part


def merge_dmft(
    paths: Iterable[str | os.PathLike], *, expect: Mapping[str, Sequence] | None = None,
    require_complete: bool = False, config: Mapping | None = None,
) -> xr.Dataset:
    """Merge per-job DMFT files (blocks of a (g, sigma_b) product grid) onto (g, sigma_b)."""
    datasets = _read(paths, DMFT_DIMS)
    if datasets:
        try:
            merged = xr.combine_by_coords(datasets, data_vars="all", join="outer", combine_attrs="override")
        except ValueError as error:
            raise InputError(f"the DMFT files do not tile a (g, sigma_b) grid: {error}") from None
    else:
        merged = xr.Dataset(coords={d: [] for d in DMFT_DIMS})
    merged.attrs = {"merged_from_files": len(datasets), "source_git_revisions": json.dumps(_revisions(datasets))}
    merged = _complete(merged, DMFT_DIMS, expect, require_complete)
    return _with_provenance(merged, config)


def _read(paths: Iterable[str | os.PathLike], dims: Sequence[str]) -> list[xr.Dataset]:
    """Load the files that exist (missing ones are logged), checking the contract's dimensions."""
    datasets = []
    for path in map(Path, paths):
        if not path.is_file():
            log.warning("no result file %s: its cells will be 'missing'", path)
            continue
        with xr.open_dataset(path, engine="netcdf4") as ds:
            absent = [d for d in dims if d not in ds.dims]
            if absent or "status" not in ds:
                raise InputError(f"{str(path)!r} is not a per-job file of the data contract: lacks {absent or ['status']}")
            datasets.append(ds.load())
    return datasets


def _with_mpi_size(ds: xr.Dataset) -> xr.Dataset:
    return ds.assign(mpi_size=np.int64(ds.attrs.get("mpi_size", -1)))


def _check_unique_cells(merged: xr.Dataset) -> None:
    index = merged.indexes["cell"]  # set_index made it a pandas.MultiIndex
    if index.has_duplicates:
        repeated = [dict(zip(SIMULATION_DIMS, cell)) for cell in index[index.duplicated()].unique()]
        raise InputError(f"cells computed by more than one file: {repeated}")


def _complete(merged: xr.Dataset, dims: Sequence[str], expect, require_complete: bool) -> xr.Dataset:
    """Sort, reindex onto the expected grid, mark absent cells ``missing`` and report them.

    The per-job files' encodings are dropped: an integer variable holds NaN once a cell is missing."""
    merged = merged.drop_encoding().sortby(list(dims)).transpose(*dims, ...)
    if expect is not None:
        unknown = set(expect) - set(dims)
        if unknown:
            raise InputError(f"expected grid names unknown dimensions {sorted(unknown)}; known: {list(dims)}")
        target = {d: sorted(expect[d]) for d in dims if d in expect}
        dropped = {d: sorted(set(merged[d].values.tolist()) - set(v)) for d, v in target.items()}
        dropped = {d: v for d, v in dropped.items() if v}
        if dropped:
            log.warning("results outside the expected grid are left out: %s", dropped)
        merged = merged.reindex(target).transpose(*dims, ...)
    if "status" not in merged:
        merged["status"] = xr.DataArray(np.full([merged.sizes[d] for d in dims], MISSING, dtype=object), dims=dims)
    for name, variable in merged.data_vars.items():
        if variable.dtype.kind in "OUS":
            merged[name] = variable.fillna(MISSING).astype(str)
    missing = merged["status"] == MISSING
    cells = [
        {d: _plain(v) for d, v in zip(dims, cell)}
        for cell in missing.stack(cell=list(dims)).to_series().loc[lambda s: s].index
    ]
    merged.attrs["missing_cells"] = json.dumps(cells)
    if cells:
        shown = "; ".join(map(str, cells[:_LOGGED_MISSING]))
        more = f" (and {len(cells) - _LOGGED_MISSING} more)" if len(cells) > _LOGGED_MISSING else ""
        if require_complete:
            raise IncompleteGridError(f"{len(cells)} expected cells have no result: {shown}{more}")
        log.warning("%d of %d cells are missing: %s%s", len(cells), missing.size, shown, more)
    io.annotate(merged, {"status": ("1", "outcome of the run, or 'missing' where no job produced the cell")})
    return merged


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _revisions(datasets: list[xr.Dataset]) -> list[str]:
    return sorted({str(ds.attrs.get("git_revision", "unknown")) for ds in datasets})


def _with_provenance(merged: xr.Dataset, config: Mapping | None) -> xr.Dataset:
    merged.attrs.update(io.provenance(config or {}))
    return merged
