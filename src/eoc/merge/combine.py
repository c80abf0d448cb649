"""Combine per-job netCDF files into the two merged files of the data contract.

``merge_simulations``: each per-job file holds one (model, mu_f, N) and one or a block of seeds
and of (g, sigma_b) cells. Every file is stacked into a 1-D ``cell`` dimension, the files are
concatenated (``xarray.concat``) and unstacked back onto (model, g, sigma_b, mu_f, N, seed), so
that a batched job and the same cells run one by one merge to the same dataset, and a sparse set
of cells is fine. A file written before the forget-gate bias mean ``mu_f`` was a coordinate is
read at mu_f = 0 (:func:`eoc.contract.with_bias_mean`). A model without gates (the rate model) has
no bias mean: its cells at mu_f != 0 get the status ``not_applicable`` and are not listed as
missing.

``merge_dmft``: the per-job files are blocks of a (g, sigma_b) product grid and are combined with
``xarray.combine_by_coords`` (blocks split along g, along sigma_b or both; a variable without g,
such as ``g_c(sigma_b)``, keeps its dimensions).

Both then reindex onto the expected grid (when given). A cell without usable data gets a status
of :mod:`eoc.status` that says why, is logged, and is listed with the reason in the file's
``missing_cells`` attribute (JSON); ``require_complete=True`` makes any such cell an error:

* ``missing``: no result file, or the job's failure record (its program failed);
* ``unreadable``: the file cannot be read (empty, truncated, not netCDF), or lacks the contract's
  dimensions; its cells are known from its path in the sweep's layout
  (``.../{model}/N{N}/seed{seed}/g{g}_sb{sigma_b}_muf{mu_f}.nc``, ``.../sb{sigma_b}.nc``);
* ``incomplete``: the file lacks variables of the contract (:data:`SIMULATION_VARIABLES`); the
  variables it has are kept, its cells' status says ``incomplete``.

A bad file never stops the merge: it is named in a warning. Every cell keeps the provenance of its
job: ``cell_job`` indexes the ``job_*`` variables (file, run configuration, package version, git
revision and dirty flag, MPI size and library, thread pools, host, time).
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import xarray as xr

from eoc import contract, io, sweep
from eoc.errors import InputError
from eoc.logs import get_logger

SIMULATION_DIMS = contract.SIMULATION_DIMS
DMFT_DIMS = ("g", "sigma_b")
MISSING = "missing"
UNREADABLE = "unreadable"
INCOMPLETE = "incomplete"
NOT_APPLICABLE = "not_applicable"
#: Variables every per-job simulation file holds (docs/interfaces.md).
SIMULATION_VARIABLES = (
    "lyapunov_max",
    "lyapunov_max_stderr",
    "lyapunov_spectrum",
    "kaplan_yorke_dimension",
    "C0",
    "autocorr",
    "tau_corr",
    "gate_mean",
    "gate_std",
    "jacobian_radius",
    "status",
    "status_step",
    "wall_time",
)
#: Variables every per-job DMFT file holds.
DMFT_VARIABLES = (
    "C0",
    "C0_static",
    "C_inf",
    "lambda2",
    "lambda2_factorized",
    "tau_inf",
    "lyapunov_max",
    "lyapunov_bound",
    "regime",
    "status",
    "autocorr",
    "g_c",
    "f_g",
)
#: Attribute of a job's failure record (:func:`eoc.merge.failures.record`): why it has no result.
FAILURE = "eoc_failed_job"
#: Provenance attributes of a per-job file kept per job in the merged file (as ``job_<name>``).
JOB_ATTRIBUTES = (
    "config",
    "eoc_version",
    "git_revision",
    "git_tree_dirty",
    "mpi_library",
    "numba_threads",
    "blas_threads",
    "threads_chosen_from",
    "host",
    "created_utc",
)
_LOGGED_MISSING = 20
_CHUNK = 250  # files per task of the reading processes
_SIMULATION_PATH = re.compile(
    rf"(?P<model>[a-z]+)/N(?P<N>[0-9]+)/seed(?P<seed>[0-9]+)/g(?P<g>{sweep.BLOCK_PATTERN})"
    rf"_sb(?P<sigma_b>{sweep.BLOCK_PATTERN})(_muf(?P<mu_f>{sweep.MEAN_PATTERN}))?\.nc$"
)
#: Variables every per-job LSTM mean-field file holds (:func:`eoc.meanfield.lstm.solve_grid`).
DMFT_LSTM_VARIABLES = ("C0", "gate_mean", "gate_std", "lyapunov_max", "lambda2", "regime", "status", "autocorr", "g_c")
_DMFT_PATH = re.compile(rf"sb(?P<sigma_b>{sweep.BLOCK_PATTERN})\.nc$")

log = get_logger(__name__)


class IncompleteGridError(InputError):
    """``require_complete`` was asked for and some expected cells have no result."""


def merge_simulations(
    paths: Iterable[str | os.PathLike],
    *,
    expect: Mapping[str, Sequence] | None = None,
    require_complete: bool = False,
    config: Mapping | None = None,
    workers: int | None = None,
) -> xr.Dataset:
    """Merge per-job simulation files onto (model, g, sigma_b, mu_f, N, seed).

    ``expect`` maps each of those dimensions to its values (the sweep's grid; without ``mu_f``:
    the means of the files, or 0); cells of the product grid without a file are reported missing,
    except the cells of a model without gates at mu_f != 0, which are ``not_applicable`` (module
    docstring). A path that does not exist counts as a missing job, a damaged file as unreadable
    or incomplete (module docstring), never as an error. Each cell keeps the MPI size of the job
    that produced it (variable ``mpi_size``) and its job's provenance (``cell_job``). Files are read
    by ``workers`` processes (default: the usable cores) when there are more than a few hundred.
    """
    paths = [Path(p) for p in paths]
    chunks = [paths[i : i + _CHUNK] for i in range(0, len(paths), _CHUNK)]
    workers = workers or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count())
    if workers > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(chunks))) as pool:
            results = list(pool.map(_read_cells, chunks))
    else:
        results = [_read_cells(chunk) for chunk in chunks]
    problems = [problem for _, _, found in results for problem in found]
    parts, jobs = [], []
    for part, part_jobs, _ in results:
        if part is not None:
            parts.append(part.assign(cell_job=part["cell_job"] + len(jobs)))
            jobs += part_jobs
    if parts:
        merged = xr.concat(
            parts,
            dim="cell",
            data_vars="all",
            coords="different",
            compat="equals",
            join="outer",
            combine_attrs="override",
        )
        merged = merged.set_index(cell=list(SIMULATION_DIMS))
        _check_unique_cells(merged)
        merged = merged.unstack("cell")
    else:
        merged = xr.Dataset(coords={d: [] for d in SIMULATION_DIMS})
    merged.attrs = {}
    if expect is not None and contract.BIAS_MEAN not in expect:  # the means found (none: the sweep's 0)
        expect = {**expect, contract.BIAS_MEAN: merged[contract.BIAS_MEAN].values.tolist() or [0.0]}
    merged = _complete(merged, SIMULATION_DIMS, expect, problems, require_complete, _SIMULATION_PATH, _not_applicable)
    merged = _with_jobs(merged, jobs)
    if "model" in merged.dims:
        merged = merged.assign_coords(time_unit=contract.time_unit(merged["model"].values))
    io.annotate(merged, contract.SIMULATION_VARIABLES)
    return _with_provenance(
        merged,
        config,
        len(jobs),
        "eoc: merged simulations (Lyapunov exponents, correlations, gates) over (model, g, sigma_b, mu_f, N, seed)",
    )


def _read_cells(paths: list[Path]) -> tuple[xr.Dataset | None, list[dict], list[dict]]:
    """Read per-job simulation files and concatenate their cells along ``cell`` (no index yet).

    Runs in a worker process. Returns the cells (variable ``cell_job``: index into the returned job
    records), the job records and the problems found."""
    datasets, problems = _read(paths, SIMULATION_DIMS, SIMULATION_VARIABLES)
    if not datasets:
        return None, [], problems
    jobs = [_job_record(path, ds) for path, ds in datasets]
    cells = [
        _with_mpi_size(ds).assign(cell_job=np.int64(k)).stack(cell=SIMULATION_DIMS, create_index=False)
        for k, (_, ds) in enumerate(datasets)
    ]
    part = xr.concat(
        cells, dim="cell", data_vars="all", coords="different", compat="equals", join="outer", combine_attrs="override"
    )
    return part, jobs, problems


def merge_dmft(
    paths: Iterable[str | os.PathLike],
    *,
    expect: Mapping[str, Sequence] | None = None,
    require_complete: bool = False,
    config: Mapping | None = None,
    variables: Sequence[str] = DMFT_VARIABLES,
    title: str = "eoc: merged DMFT of the rate model over (g, sigma_b)",
) -> xr.Dataset:
    """Merge per-job DMFT files (blocks of a (g, sigma_b) product grid) onto (g, sigma_b).

    ``variables``: those every file must hold (:data:`DMFT_VARIABLES` for the rate model,
    :data:`DMFT_LSTM_VARIABLES` for the LSTM: :func:`merge_dmft_lstm`)."""
    datasets, problems = _read(paths, DMFT_DIMS, variables)
    jobs = [_job_record(path, ds) for path, ds in datasets]
    blocks = [
        ds.assign(cell_job=(DMFT_DIMS, np.full([ds.sizes[d] for d in DMFT_DIMS], k)))
        for k, (_, ds) in enumerate(datasets)
    ]
    if blocks:
        try:
            merged = xr.combine_by_coords(
                blocks, data_vars="minimal", compat="no_conflicts", join="outer", combine_attrs="override"
            )
        except ValueError as error:
            raise InputError(f"the DMFT files do not tile a (g, sigma_b) grid: {error}") from None
    else:
        merged = xr.Dataset(coords={d: [] for d in DMFT_DIMS})
    merged.attrs = {}
    merged = _complete(merged, DMFT_DIMS, expect, problems, require_complete, _DMFT_PATH)
    merged = _with_jobs(merged, jobs)
    return _with_provenance(merged, config, len(jobs), title)


def merge_dmft_lstm(paths: Iterable[str | os.PathLike], **kwargs) -> xr.Dataset:
    """Merge per-job LSTM mean-field files (``eoc dmft --model lstm``) onto (g, sigma_b)."""
    return merge_dmft(
        paths, variables=DMFT_LSTM_VARIABLES, title="eoc: merged LSTM mean-field theory over (g, sigma_b)", **kwargs
    )


def _read(
    paths: Iterable[str | os.PathLike], dims: Sequence[str], variables: Sequence[str]
) -> tuple[list[tuple[Path, xr.Dataset]], list[dict]]:
    """Load the usable files (decoded); every other path becomes a problem record
    ``{path, status, reason}`` and a warning naming it."""
    datasets, problems = [], []

    def problem(path, status, reason):
        log.warning("%s: %s; its cells will be %r", path, reason, status)
        problems.append({"path": str(path), "status": status, "reason": reason})

    for path in map(Path, paths):
        if not path.is_file():
            problem(path, MISSING, "no result file")
            continue
        try:
            with xr.open_dataset(path, engine="netcdf4") as ds:
                ds = contract.decode(ds.load())
        except Exception as error:  # netCDF4/HDF5 raise OSError, RuntimeError, ValueError, ...
            problem(path, UNREADABLE, f"cannot be read ({type(error).__name__}: {error})")
            continue
        if contract.BIAS_MEAN in dims and "sigma_b" in ds.dims:
            ds = contract.with_bias_mean(ds)  # a file from before the bias-mean coordinate: mu_f = 0
        if FAILURE in ds.attrs:
            problem(path, MISSING, f"the job failed: {ds.attrs[FAILURE]}")
            continue
        absent_dims = [d for d in dims if d not in ds.dims]
        if absent_dims:
            problem(path, UNREADABLE, f"not a per-job file of the data contract: lacks the dimensions {absent_dims}")
            continue
        absent = [v for v in variables if v not in ds.variables]
        if absent:
            log.warning(
                "%s lacks the variables %s of the data contract; its cells will be %r", path, absent, INCOMPLETE
            )
            problems.append(
                {
                    "path": str(path),
                    "status": INCOMPLETE,
                    "reason": f"lacks the variables {absent}",
                    "cells": _cells_of_dataset(ds, dims),
                }
            )
            if "status" not in ds:
                ds["status"] = xr.DataArray(np.full([ds.sizes[d] for d in dims], INCOMPLETE, dtype=object), dims=dims)
        if "status" in ds and "model" in dims:
            ds["status"] = xr.Variable(ds["status"].dims, contract.status_names(ds["status"].values))
        datasets.append((path, ds))
    return datasets, problems


def _cells_of_dataset(ds: xr.Dataset, dims: Sequence[str]) -> list[dict]:
    return [dict(zip(dims, cell, strict=True)) for cell in itertools.product(*(ds[d].values.tolist() for d in dims))]


def _cells_of_path(path: str, pattern: re.Pattern, dims: Sequence[str], target: Mapping[str, list]) -> list[dict]:
    """The cells that a file of the sweep's layout holds, from its path (empty if it does not
    follow the layout); blocks of g and sigma_b expand on the expected grid."""
    found = pattern.search(Path(path).as_posix())
    if found is None:
        return []
    values = {}
    for dim in dims:
        label = found.groupdict().get(dim)
        if label is None and dim == contract.BIAS_MEAN:
            values[dim] = [0.0]  # a path from before the bias-mean coordinate
        elif label is None:
            values[dim] = list(target.get(dim, []))
        elif dim == contract.BIAS_MEAN:
            values[dim] = [float(label)]
        elif dim == "model":
            values[dim] = [label]
        elif dim in ("N", "seed"):
            values[dim] = [int(label)]
        elif dim in target:
            try:
                values[dim] = sweep.block_values(label, target[dim])
            except InputError:
                return []
        else:
            lo, _, hi = label.partition("_to_")
            values[dim] = sorted({float(lo), float(hi or lo)})
    cells = [{}]
    for dim in dims:
        cells = [{**cell, dim: value} for cell in cells for value in values[dim]]
    return cells


def _with_mpi_size(ds: xr.Dataset) -> xr.Dataset:
    return ds.assign(mpi_size=np.int64(ds.attrs.get("mpi_size", -1)))


def _job_record(path: Path, ds: xr.Dataset) -> dict[str, str]:
    return {"file": str(path), **{name: str(ds.attrs.get(name, "unknown")) for name in JOB_ATTRIBUTES}}


def _check_unique_cells(merged: xr.Dataset) -> None:
    index = merged.indexes["cell"]  # set_index made it a pandas.MultiIndex
    if index.has_duplicates:
        repeated = [dict(zip(SIMULATION_DIMS, cell, strict=True)) for cell in index[index.duplicated()].unique()]
        raise InputError(f"cells computed by more than one file: {repeated}")


def _complete(
    merged: xr.Dataset,
    dims: Sequence[str],
    expect,
    problems: list[dict],
    require_complete: bool,
    layout: re.Pattern,
    inapplicable=None,
) -> xr.Dataset:
    """Sort, reindex onto the expected grid, give cells without usable data the status that says
    why, and report them. ``inapplicable(merged)``: a boolean mask of the cells that are no point
    of their model; where they have no data their status is ``not_applicable`` and they are not
    reported.

    The per-job files' encodings are dropped: an integer variable holds NaN once a cell is missing."""
    merged = merged.drop_encoding().sortby(list(dims)).transpose(*dims, ...)
    target = {}
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
    reasons = _mark_problems(merged, dims, problems, target, layout)
    if inapplicable is not None:
        mask = inapplicable(merged) & (merged["status"] == MISSING)
        merged["status"] = merged["status"].where(~mask, NOT_APPLICABLE).transpose(*merged["status"].dims)
    without = merged["status"].isin(["missing", UNREADABLE, INCOMPLETE])
    cells = []
    for cell in without.stack(cell=list(dims)).to_series().loc[lambda s: s].index:
        where = {d: _plain(v) for d, v in zip(dims, cell, strict=True)}
        key = tuple(where.values())
        status = str(merged["status"].sel(where).item())
        cells.append({**where, "status": status, "reason": reasons.get(key, "no result file")})
    merged.attrs["missing_cells"] = json.dumps(cells)
    if cells:
        shown = "; ".join(map(str, cells[:_LOGGED_MISSING]))
        more = f" (and {len(cells) - _LOGGED_MISSING} more)" if len(cells) > _LOGGED_MISSING else ""
        if require_complete:
            raise IncompleteGridError(f"{len(cells)} expected cells have no result: {shown}{more}")
        log.warning("%d of %d cells are missing: %s%s", len(cells), without.size, shown, more)
    return merged


def _mark_problems(
    merged: xr.Dataset, dims: Sequence[str], problems: list[dict], target: Mapping, layout: re.Pattern
) -> dict[tuple, str]:
    """Set the status of the cells of each problem file; return {cell: reason}."""
    reasons = {}
    status = merged["status"].values.astype(object)  # longer names than the files held fit
    for problem in problems:
        cells = problem.get("cells") or _cells_of_path(problem["path"], layout, dims, target)
        for cell in cells:
            try:
                position = tuple(merged.indexes[d].get_loc(cell[d]) for d in dims)
            except KeyError:
                continue  # outside the merged grid
            if problem["status"] != INCOMPLETE and status[position] != MISSING:
                continue  # another file has the cell
            status[position] = problem["status"]
            reasons[tuple(cell[d] for d in dims)] = f"{problem['path']}: {problem['reason']}"
    merged["status"] = (merged["status"].dims, status.astype(str))
    return reasons


def _not_applicable(merged: xr.Dataset) -> xr.DataArray:
    """Cells of a model without gates (no gate biases, so no bias mean) at mu_f != 0."""
    from eoc.simulate.models import MODELS

    models = merged["model"].values
    gated = xr.DataArray(
        [bool(getattr(MODELS.get(str(m)), "gates", True)) for m in models], dims="model", coords={"model": models}
    )
    return ~gated & (merged[contract.BIAS_MEAN] != 0)


def _with_jobs(merged: xr.Dataset, jobs: list[dict]) -> xr.Dataset:
    """The per-cell ``cell_job`` index (-1: no job) and the ``job_*`` provenance variables over ``job``."""
    index = merged["cell_job"] if "cell_job" in merged else xr.full_like(merged["status"], np.nan, dtype=float)
    merged["cell_job"] = index.fillna(-1).astype(np.int32)
    for name in ("file", *JOB_ATTRIBUTES):
        merged[f"job_{name}"] = xr.DataArray(
            np.array([job[name] for job in jobs], dtype=object).astype(str), dims="job"
        )
    io.annotate(
        merged,
        {f"job_{name}": ("", f"{name} of the job", f"per-job file attribute {name!r}") for name in JOB_ATTRIBUTES},
    )
    io.annotate(
        merged,
        {
            "job_file": ("", "per-job file"),
            "cell_job": (
                "1",
                "job of the cell",
                "index along the job dimension of the job_* variables; -1 where no job produced the cell",
            ),
        },
    )
    return merged


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _with_provenance(merged: xr.Dataset, config: Mapping | None, files: int, title: str) -> xr.Dataset:
    if "status" in merged and "model" in merged.dims:
        merged["status"].attrs = contract.status_attributes()
    elif "status" in merged:
        io.annotate(
            merged,
            {
                "status": (
                    "",
                    "solver status",
                    "ok, or why the solver failed at the point (missing: no result for the point)",
                )
            },
        )
    revisions = sorted(set(merged["job_git_revision"].values.tolist())) if "job_git_revision" in merged else []
    merged.attrs.update(io.provenance(config or {}, title=title))
    merged.attrs.update(merged_from_files=files, source_git_revisions=json.dumps(revisions))
    return merged
