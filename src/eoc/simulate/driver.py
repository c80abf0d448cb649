"""The driver: one network realisation (model, N, seed) and a batch of (g, σ_b) points sharing it.

:func:`run` checks every input (InputError naming the value, before any weight is drawn), builds
this rank's share of the network, integrates the batch with :class:`eoc.simulate.engine.Engine`,
and returns the per-job dataset of docs/interfaces.md ("Per-job simulation file"). With ``out``,
rank 0 writes it atomically and the checkpoint (if any) is deleted afterwards. Under MPI every
rank calls :func:`run` with the same arguments and gets the same dataset.
"""

from __future__ import annotations

import json
import logging
import sys
import time

import numpy as np
import xarray as xr

from eoc import contract, io, validation
from eoc.errors import InputError
from eoc.logs import get_logger
from eoc.simulate import checkpoint as checkpoints
from eoc.simulate import memory, networks
from eoc.simulate.disorder import Disorder, initial_state, initial_tangents
from eoc.simulate.engine import Engine, steps_per_lag
from eoc.simulate.lyapunov import entropy_rate, kaplan_yorke_dimension
from eoc.simulate.models import RECORDED_GATES
from eoc.simulate.observables import jacobian_radius
from eoc.simulate.options import Options
from eoc.simulate.parallel import Partition, world
from eoc.simulate.recurrent import RecurrentProduct

log = get_logger(__name__)

#: Units whose time series are kept for the autocorrelation (an evenly spaced subset for large N).
AUTOCORR_UNITS = 256
#: Seconds of work between checkpoints (``eoc simulate --checkpoint-seconds``).
CHECKPOINT_SECONDS = 300.0
#: What a run does with a checkpoint it cannot read: stop with a message, or set it aside (renamed,
#: logged) and start afresh (a sweep's retry, which would otherwise fail on it forever).
DAMAGED_CHECKPOINT = ("stop", "restart")
#: Version of the checkpoint's layout, part of its fingerprint (an older file is refused by name).
CHECKPOINT_FORMAT = 3


def build_network(options: Options, seed: int, comm, **extra):
    """This rank's share of network ``seed`` and its batched dynamics, at the initial state.

    ``extra``: keywords of the model's ``build`` (e.g. the rate model's ``transfer``)."""
    model = options.model_class
    partition = Partition(options.N, comm.size)
    units = partition.rows(comm.rank)
    dtype = np.dtype(options.dtype)
    disorder = Disorder.draw(n=options.N, seed=seed, gates=len(model.weight_blocks), units=units, dtype=dtype)
    product = RecurrentProduct(disorder.weights, comm, partition)
    # the state is [variable 0 of units 0..N-1, variable 1 of units 0..N-1, ...]
    rows = np.concatenate(
        [block * options.N + np.arange(units.start, units.stop) for block in range(model.state_per_unit)]
    )
    full = initial_state(seed, options.state_dim, scale=model.initial_scale)
    state = np.repeat(full[rows, None], options.points, axis=1).astype(dtype)
    tangents = np.repeat(
        initial_tangents(seed, options.state_dim, options.k)[rows, None, :], options.points, axis=1
    ).astype(dtype)
    return model.build(
        disorder,
        product,
        options=options,
        gains=options.point_gains(),
        bias_scales=options.point_bias_scales(),
        state=state,
        tangents=tangents,
        **extra,
    )


def build_dynamics(options: Options, comm, **extra):
    """The batched dynamics of every seed of ``options`` (stacked when more than one), at the
    initial state; ``extra`` as for :func:`build_network`."""
    return networks.stack([build_network(options, seed, comm, **extra) for seed in options.seed])


def recorded_units(options: Options, comm) -> np.ndarray:
    """Local indices of this rank's units among the evenly spaced autocorrelation subset."""
    units = Partition(options.N, comm.size).rows(comm.rank)
    stride = max(1, options.N // AUTOCORR_UNITS)
    return np.array([j - units.start for j in range(units.start, units.stop) if j % stride == 0], dtype=np.int64)


def run(
    options: Options | None = None,
    *,
    out=None,
    checkpoint=None,
    checkpoint_seconds: float = CHECKPOINT_SECONDS,
    damaged_checkpoint: str = "stop",
    progress: bool | None = None,
    comm=None,
    **fields,
) -> xr.Dataset:
    """Simulate one network realisation for the outer product of ``options.g`` and ``options.sigma_b``.

    ``options``: an :class:`eoc.simulate.options.Options`; or give its fields as keywords instead
    (``run(model="rate", g=2, sigma_b=0, N=100, seed=0)``). ``checkpoint``: a file to write every
    ``checkpoint_seconds`` of work and resume from; ``damaged_checkpoint``: "stop" (an unreadable
    checkpoint is an InputError) or "restart" (it is renamed ``NAME.damaged-TIME``, logged, and the
    run starts afresh). ``out``: rank 0 writes there. Before anything is allocated, the memory
    estimate (:mod:`eoc.simulate.memory`) is checked against the node's memory. ``progress``:
    rank 0 reports progress (:mod:`eoc.simulate.progress`): None (default) a tqdm bar when stderr is
    a terminal and log lines every minute otherwise, True the bar, False nothing. ``comm``: the communicator
    (default: MPI's world when MPI is started, else serial).
    """
    started = time.monotonic()
    comm = world() if comm is None else comm
    if options is None:
        options = Options(**fields)
    elif fields:
        raise InputError(f"give either an Options object or its fields as keywords, not both: {sorted(fields)}")
    options.check_ranks(comm.size)
    checkpoint_seconds = validation.nonnegative("checkpoint_seconds", checkpoint_seconds)
    damaged_checkpoint = validation.choice("damaged_checkpoint", damaged_checkpoint, DAMAGED_CHECKPOINT)
    out = io.check_writable(out, name="--out") if out is not None else None
    checkpoint = io.check_writable(checkpoint, name="--checkpoint") if checkpoint is not None else None
    if out is not None and checkpoint is not None and out.resolve() == checkpoint.resolve():
        raise InputError(
            f"--checkpoint {str(checkpoint)!r} is the same file as --out {str(out)!r}: "
            "the checkpoint would overwrite the result; give it its own name"
        )
    need = memory.estimate(
        model=options.model,
        N=options.N,
        ranks=comm.size,
        dtype=options.dtype,
        points=options.points,
        k=options.k,
        steps=options.step_limit,
        renorm_interval=options.renorm_interval,
        dt=options.dt,
        jacobian_max_N=options.jacobian_max_N,
        with_checkpoint=checkpoint is not None,
        networks=options.networks,
    )
    memory.check(
        need, N=options.N, ranks=comm.size, dtype=options.dtype, ranks_per_node=memory.ranks_on_node(comm.size)
    )
    fingerprint = json.dumps(
        {**options.as_dict(), "mpi_size": comm.size, "checkpoint_format": CHECKPOINT_FORMAT}, sort_keys=True
    )
    saved = None
    if checkpoint is not None:
        try:
            saved = checkpoints.load(checkpoint, fingerprint=fingerprint, comm=comm)
        except checkpoints.DamagedCheckpoint as damage:
            if damaged_checkpoint == "stop":
                raise
            aside = checkpoints.set_aside(checkpoint, comm)
            log.warning("%s; set aside as %s, starting afresh", str(damage).split(";")[0], aside)
    terminal = sys.stderr.isatty() if progress is None else bool(progress)

    log.info(
        "%s N=%d seed(s) %s, %d point(s) each, k=%d on %d rank(s)",
        options.model,
        options.N,
        ",".join(map(str, options.seed)),
        options.points,
        options.k,
        comm.size,
    )
    built = [build_network(options, seed, comm) for seed in options.seed]
    radius = np.full(options.networks * options.points, np.nan)
    if saved is not None:  # the checkpoint holds it: a resume does not diagonalise again
        radius = np.array(saved[1]["jacobian_radius"])
    elif options.N <= options.jacobian_max_N:
        radius = np.concatenate([jacobian_radius(n, comm, zero_state_rows=options.state_dim) for n in built])
    dynamics = networks.stack(built)
    engine = Engine(
        dynamics,
        comm,
        n_units=options.N,
        steps=options.steps,
        transient=options.transient,
        renorm_interval=options.renorm_interval,
        n_lags=options.n_lags,
        recorded_units=recorded_units(options, comm),
        checkpoint=checkpoint,
        checkpoint_seconds=checkpoint_seconds,
        fingerprint=fingerprint,
        progress=progress is not False and comm.rank == 0,
        terminal=terminal,
        time_unit=options.time_unit,
        target_stderr=options.target_stderr,
        max_steps=options.max_steps,
    )
    engine.jacobian_radius = radius  # part of the engine's accumulated state: in every checkpoint
    if saved is not None:
        engine.restore(*saved)
        log.info("resumed from %s at step %d", checkpoint, engine.step)
    setup_time = time.monotonic() - started
    engine.integrate()
    wall_time = engine.elapsed + setup_time
    ds = dataset(options, engine.results(), radius, wall_time=wall_time, comm=comm)
    if out is not None and comm.rank == 0:
        io.write_dataset(ds, out)
        log.info("wrote %s", out)
    if checkpoint is not None and comm.rank == 0:
        checkpoint.unlink(missing_ok=True)
    if log.isEnabledFor(logging.INFO):
        cells = ds[["status", "lyapunov_max", "lyapunov_max_stderr", "steps_measured"]]
        cells = cells.squeeze(["model", "mu_f", "N"]).transpose("seed", "g", "sigma_b")
        for seed in cells["seed"].values:
            for g_p in cells["g"].values:
                for sigma_b_p in cells["sigma_b"].values:
                    cell = cells.sel(seed=seed, g=g_p, sigma_b=sigma_b_p)
                    log.info(
                        "seed=%d g=%g sigma_b=%g: status %s, lyapunov_max %.5g +- %.2g after %d measured steps",
                        seed,
                        g_p,
                        sigma_b_p,
                        cell["status"].item(),
                        cell["lyapunov_max"].item(),
                        cell["lyapunov_max_stderr"].item(),
                        cell["steps_measured"].item(),
                    )
    return ds


def recorded_gates(options: Options, values: np.ndarray) -> np.ndarray:
    """(len(RECORDED_GATES), P): the model's recorded gate statistics ``values`` (one row per gate of
    its ``recorded_gates``) in the rows of the file's gate coordinate, NaN for gates it does not have."""
    out = np.full((len(RECORDED_GATES), values.shape[1]), np.nan)
    for row, gate in zip(values, options.model_class.recorded_gates, strict=False):
        out[RECORDED_GATES.index(gate)] = row
    return out


def dataset(options: Options, results: dict, radius: np.ndarray, *, wall_time: float, comm) -> xr.Dataset:
    """The per-job dataset (docs/interfaces.md): dims (model, g, sigma_b, mu_f, N, seed) + lag, gate,
    exponent; ``mu_f`` (length 1) is the job's forget-gate bias mean (0 for a model without gates)."""
    networks_points = (options.networks, len(options.g), len(options.sigma_b))
    shape = (1, len(options.g), len(options.sigma_b), 1, 1, options.networks)
    base = contract.SIMULATION_DIMS

    def scalar(values):  # values (S·P,), points seed-major -> (1, G, B, 1, 1, S)
        return base, np.asarray(values).reshape(networks_points).transpose(1, 2, 0).reshape(shape)

    def over(dim, values):  # values (n, S·P) -> (1, G, B, 1, 1, S, n)
        values = np.asarray(values)
        stacked = values.reshape((values.shape[0],) + networks_points).transpose(2, 3, 1, 0)
        return base + (dim,), stacked.reshape(shape + (values.shape[0],))

    exponents = results["lyapunov"]
    spectrum = exponents if options.k > 1 else np.full_like(exponents, np.nan)
    ds = xr.Dataset(
        {
            "lyapunov_max": scalar(exponents[:, 0]),
            "lyapunov_max_stderr": scalar(results["lyapunov_max_stderr"]),
            "lyapunov_spectrum": over("exponent", spectrum.T),
            "kaplan_yorke_dimension": scalar(
                [kaplan_yorke_dimension(e) for e in exponents] if options.k > 1 else np.full(len(exponents), np.nan)
            ),
            "entropy_rate": scalar([entropy_rate(e) for e in exponents]),
            "C0": scalar(results["C0"]),
            "autocorr": over("lag", results["autocorr"]),
            "tau_corr": scalar(results["tau_corr"]),
            "gate_mean": over("gate", recorded_gates(options, results["gate_mean"])),
            "gate_std": over("gate", recorded_gates(options, results["gate_std"])),
            "jacobian_radius": scalar(radius),
            "status": scalar(contract.status_names(results["status"])),
            "status_step": scalar(results["status_step"]),
            "steps_measured": scalar(results["steps_measured"]),
            "wall_time": scalar(np.full(exponents.shape[0], wall_time)),
        },
        coords={
            "model": [options.model],
            "g": options.g,
            "sigma_b": options.sigma_b,
            contract.BIAS_MEAN: [float(options.bias_means.get("f", 0.0))],
            "N": [options.N],
            "seed": options.seed,
            "lag": np.arange(options.n_lags) * steps_per_lag(options.time_step) * options.time_step,
            "gate": list(RECORDED_GATES),
            "exponent": np.arange(max(options.k, 1)),
        },
    )
    ds = ds.assign_coords(time_unit=contract.time_unit([options.model]))
    io.annotate(ds, contract.SIMULATION_VARIABLES)
    ds["status"].attrs = contract.status_attributes()
    title = f"eoc: one simulation job ({options.model}, N={options.N}, seed={options.seed})"
    ds.attrs.update(io.provenance(options.as_dict(), mpi_size=comm.size, mpi_library=comm.library, title=title))
    return ds
