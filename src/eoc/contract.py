"""The data contract on disk: CF-1.10 encoding of every file the project writes, and reading it back.

The files (per-job and merged, docs/interfaces.md) are CF-1.10 netCDF-4 files that a CF checker
accepts. On disk:

* Text is stored as ``char`` arrays (never variable-length strings, which CF checkers reject).
* A text dimension coordinate (``model``, ``gate``) cannot be a CF coordinate variable (those are
  numeric): the dimension keeps its name and the labels go to an auxiliary coordinate
  ``<dim>_name`` (e.g. ``model_name(model)``).
* A text variable with ``flag_meanings`` (the simulation ``status``, the DMFT ``regime``) is
  stored as CF integer flags: the value is the index of the name in ``flag_meanings``, and
  ``flag_values`` lists the indices (:mod:`eoc.status` is the table of the simulation status).
* Times are dimensionless: the rate model's time is measured in its time constant (``tau``), the
  LSTM's in steps. One variable holds both models, so its ``units`` is ``"1"`` and the time unit
  of each cell is the coordinate ``time_unit(model)``: an exponent is per ``time_unit``, a
  correlation time or a lag is in ``time_unit``.

:func:`encode` turns an in-memory dataset into that form (``eoc.io.write_dataset`` calls it);
:func:`decode` undoes it, so :func:`open_dataset` (and :func:`open_simulations`,
:func:`open_dmft`) give back the in-memory form the code works with: ``model`` and ``gate`` as
text index coordinates (``sims.sel(model="lstm")``) and ``status`` as names.
"""

from __future__ import annotations

import os

import numpy as np
import xarray as xr

from eoc import status as statuses

CONVENTIONS = "CF-1.10"
TIME_UNIT_METADATA = {
    "long_name": "unit of time of the model",
    "description": "step: one LSTM update; t: the time of the rate model's equation dh/dt = -h/2 + ... "
    "(its dt is in t). Exponents are per time_unit; lags and correlation times are in time_unit.",
}
REFERENCES = (
    "Edge of chaos in randomly initialised LSTMs and their rate model (eoc); physics conventions: docs/science.md"
)
#: Read in per-job files written before the status vocabulary of eoc.status.
LEGACY_STATUS = {"ok": "chaotic"}

_NAME_SUFFIX = "_name"


def global_attributes(*, title: str, source: str, history: str) -> dict[str, str]:
    """The CF global attributes of a file of the contract."""
    return {"Conventions": CONVENTIONS, "title": title, "source": source, "history": history, "references": REFERENCES}


def status_attributes() -> dict:
    """``long_name``, ``flag_values`` and ``flag_meanings`` of a simulation ``status`` variable."""
    return {
        "long_name": "simulation status",
        "flag_values": np.arange(len(statuses.SIMULATION), dtype=np.int8),
        "flag_meanings": " ".join(statuses.SIMULATION),
        "description": "what the run shows (chaotic, fixed_point, limit_cycle, undecided, diverged) "
        "or why a merged cell has no data (missing, unreadable, incomplete); see eoc.status",
    }


def status_names(values) -> np.ndarray:
    """Status names of ``values`` (names, legacy names or CF flag values) as a text array."""
    values = np.asarray(values)
    if values.dtype.kind in "iu":
        return np.asarray(statuses.SIMULATION, dtype=object)[values].astype(str)
    names = np.vectorize(lambda v: LEGACY_STATUS.get(str(v), str(v)), otypes=[object])(values)
    unknown = sorted(set(names.ravel().tolist()) - set(statuses.SIMULATION))
    if unknown:
        raise ValueError(f"unknown simulation status {unknown}; known: {list(statuses.SIMULATION)}")
    return names.astype(str)


def time_unit(models) -> xr.DataArray:
    """The ``time_unit`` coordinate over ``model`` for the model names ``models`` (from the model table)."""
    from eoc.simulate.models import MODELS

    models = list(np.atleast_1d(np.asarray(models)).astype(str))
    return xr.DataArray([MODELS[m].time_unit for m in models], dims="model", attrs=dict(TIME_UNIT_METADATA))


def encode(ds: xr.Dataset) -> tuple[xr.Dataset, dict]:
    """The on-disk form of ``ds`` (see the module docstring) and the encoding for ``to_netcdf``."""
    ds = ds.copy()
    for dim in list(ds.dims):
        if dim in ds.indexes and ds[dim].dtype.kind in "OUS":
            labels = ds[dim]
            attrs = dict(labels.attrs)
            ds = ds.drop_vars(dim).assign_coords({dim + _NAME_SUFFIX: (dim, labels.values.astype(str), attrs)})
    encoding = {}
    for name in list(ds.variables):
        variable = ds[name]
        if variable.dtype.kind not in "OUS":
            continue
        meanings = variable.attrs.get("flag_meanings")
        if meanings is not None:
            table = {m: k for k, m in enumerate(meanings.split())}
            codes = np.vectorize(lambda v, table=table: table[str(v)], otypes=[np.int8])(variable.values)
            attrs = {**variable.attrs, "flag_values": np.arange(len(table), dtype=np.int8)}
            ds[name] = xr.Variable(variable.dims, codes.reshape(variable.shape), attrs)
        else:
            encoding[name] = {"dtype": "S1"}
    return ds, encoding


def decode(ds: xr.Dataset) -> xr.Dataset:
    """The in-memory form of a dataset read from a file of the contract (inverse of :func:`encode`).

    Files in the older layout (text coordinates, text status) come back unchanged, with legacy
    status names translated (``ok`` -> ``chaotic``)."""
    for dim in list(ds.dims):
        label = dim + _NAME_SUFFIX
        if label in ds.coords and ds[label].dims == (dim,) and dim not in ds.coords:
            attrs = dict(ds[label].attrs)
            ds = ds.assign_coords({dim: (dim, ds[label].values.astype(str), attrs)}).drop_vars(label)
    for name in list(ds.data_vars):
        variable = ds[name]
        meanings = variable.attrs.get("flag_meanings")
        if meanings is not None and variable.dtype.kind in "iu":
            names = np.asarray(meanings.split(), dtype=object)
            ds[name] = xr.Variable(variable.dims, names[variable.values].astype(str), dict(variable.attrs))
    return ds


def open_dataset(path: str | os.PathLike) -> xr.Dataset:
    """Load a file of the contract (per-job or merged) into memory, decoded."""
    with xr.open_dataset(path, engine="netcdf4") as ds:
        return decode(ds.load())


def open_simulations(path: str | os.PathLike = "results/merged/simulations.nc") -> xr.Dataset:
    """The merged simulations over (model, g, sigma_b, mu_f, N, seed), ready for
    ``sel(model="lstm", mu_f=0)``.

    ``status`` holds names (:data:`eoc.status.SIMULATION`); ``time_unit(model)`` says in which
    unit of time each model's exponents, lags and correlation times are. A file written before
    the forget-gate bias mean was a coordinate is read with ``mu_f = [0]`` (:func:`with_bias_mean`)."""
    return with_bias_mean(open_dataset(path))


#: The dimensions of a simulation file (per-job and merged), in this order.
SIMULATION_DIMS = ("model", "g", "sigma_b", "mu_f", "N", "seed")
#: The bias-mean dimension: the forget gate's bias mean mu_f (b_f ~ N(mu_f, sigma_b^2)).
BIAS_MEAN = "mu_f"


def with_bias_mean(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with the dimension ``mu_f`` (:data:`BIAS_MEAN`): unchanged if it has one, else every
    variable over ``sigma_b`` gains ``mu_f = [0]`` right after ``sigma_b`` (files written before
    the bias mean was a coordinate ran at μ = 0: the sweep had one mean per working directory and
    zero by default)."""
    if BIAS_MEAN in ds.dims:
        return ds
    ds = ds.copy()
    for name in list(ds.data_vars):
        dims = ds[name].dims
        if "sigma_b" in dims:
            at = dims.index("sigma_b") + 1
            ds[name] = ds[name].expand_dims({BIAS_MEAN: 1}, axis=at)
    ds = ds.assign_coords({BIAS_MEAN: (BIAS_MEAN, [0.0])})
    ds[BIAS_MEAN].attrs = _coordinate_attributes(BIAS_MEAN)
    return ds


def _coordinate_attributes(name: str) -> dict:
    units, long_name, description = SIMULATION_VARIABLES[name]
    return {"units": units, "long_name": long_name, "description": description}


def open_dmft(path: str | os.PathLike = "results/merged/dmft.nc") -> xr.Dataset:
    """The merged DMFT of the rate model over (g, sigma_b), ``regime`` as names."""
    return open_dataset(path)


#: Metadata of the simulation files (per-job and merged): name -> (units, long_name, description).
#: Times are in ``time_unit`` (module docstring): an exponent's unit is "1" (per time_unit).
SIMULATION_VARIABLES = {
    "model": ("", "model", "lstm: the full LSTM; rate: its rate model"),
    "g": ("", "gain g", "recurrent gain: weights g Z / sqrt(N)"),
    "sigma_b": ("", "bias spread sigma_b", "standard deviation of the biases"),
    "mu_f": (
        "1",
        "forget-gate bias mean mu_f",
        "mean of the forget gate's biases, b_f ~ N(mu_f, sigma_b^2); the other gates' means are the "
        "job's bias_means (config attribute, job_config); the rate model has no gate biases: its cells "
        "are at mu_f = 0 and have status not_applicable at every other mu_f",
    ),
    "N": ("", "network size N", "number of units"),
    "seed": ("", "seed", "network realisation: the seed of the disorder"),
    "lag": ("1", "lag", "lag tau of the autocorrelation, in time_unit"),
    "gate": ("", "LSTM gate", "f: forget, i: input, o: output"),
    "exponent": ("", "exponent index", "index of the Lyapunov exponent (0: the maximal one)"),
    "lyapunov_max": ("1", "maximal Lyapunov exponent", "per time_unit"),
    "lyapunov_max_stderr": ("1", "standard error of lyapunov_max", "from block averages; per time_unit"),
    "lyapunov_spectrum": ("1", "Lyapunov spectrum", "the k leading exponents per time_unit (NaN when k <= 1)"),
    "kaplan_yorke_dimension": ("1", "Kaplan-Yorke dimension", "from the k leading exponents (NaN if k is too small)"),
    "entropy_rate": (
        "1",
        "entropy rate",
        "sum of the positive Lyapunov exponents, per time_unit (NaN if k is too small)",
    ),
    "C0": ("1", "variance C0", "time average of |h|^2 / N"),
    "autocorr": ("1", "autocorrelation", "C(tau) = <h(t).h(t+tau)> / N (total, not connected)"),
    "tau_corr": (
        "1",
        "correlation time",
        "lag, in time_unit, where the connected normalised autocorrelation falls to 1/e",
    ),
    "gate_mean": ("1", "mean gate value", "mean of the LSTM gate over units and time (NaN for the rate model)"),
    "gate_std": ("1", "gate standard deviation", "over units and time (NaN for the rate model)"),
    "jacobian_radius": (
        "1",
        "zero-state Jacobian spectral radius",
        "of the Jacobian at the zero state h = c = 0; LSTM: of the one-step map, a fixed point only where "
        "the cell input has no bias (sigma_b = 0 and mu_c = 0); with gate biases the zero state is no "
        "fixed point and this radius says nothing about stability (the fixed point's: "
        "eoc.simulate.fixed_point); rate model: of the Jacobian of the flow, per time_unit "
        "(NaN if not computed)",
    ),
    "status_step": ("1", "status step", "step at which the status was decided (-1 when it was not)"),
    "steps_measured": (
        "1",
        "measured steps",
        "steps after the transient that the cell's observables average over (more than the configured steps "
        "when the adaptive run length continued the run; up to the divergence for a diverged run)",
    ),
    "wall_time": ("s", "wall-clock time", "of the job that computed the cell"),
    "mpi_size": ("1", "MPI ranks", "of the job that computed the cell"),
}
