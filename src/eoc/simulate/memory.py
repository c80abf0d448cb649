"""How much memory a simulation needs, per rank, before anything is allocated; and how much there is.

:func:`estimate` adds up the arrays a rank holds at its peak (bytes; ``n`` = this rank's units,
the first rank's share ⌈N/ranks⌉, which is the largest; P points; k tangent vectors; D = 2n for
the LSTM's (c, h), n for the rate model; s = itemsize of the dtype):

* weights: G·n·N·s (G = the model's weight blocks, :data:`eoc.simulate.models.MODELS`: 4 gates for
  the LSTM, 1 for the rate model);
* state and tangents, with the working copies of one step (the LSTM's gate pre-activations and
  derivatives, RK4's four stages): ``WORKING_COPIES``·D·P·(1 + k)·s, plus the columns gathered
  from every rank for the product, 2·N·P·(1 + k)·s, and the float64 QR of the tangents, 3·D·P·k·8;
* the sampled h for the autocorrelation: (steps / lag spacing)·u·P·8 float64 (u recorded units of
  this rank), plus ``FFT_COPIES`` times those of ``FFT_CHUNK`` units for the transforms at the end
  (:func:`eoc.simulate.observables.autocorrelation_sums`);
* the per-interval growth rates of λ_max: 2·(steps / renorm_interval)·P·8;
* the zero-state Jacobian (first rank, N ≤ jacobian_max_N): ``JACOBIAN_COPIES``·(D_total)²·8;
* the first rank gathers every rank's state, tangents and samples to write a checkpoint;
* the interpreter with NumPy, xarray, netCDF and MPI loaded: ``BASE_BYTES``.

:func:`node_memory` is the memory the job may use: Slurm's allocation when the job runs under
Slurm (``SLURM_MEM_PER_NODE``, or ``SLURM_MEM_PER_CPU`` × the CPUs of the job on the node, both in
MiB), else the machine's ``MemAvailable`` (``/proc/meminfo``). :func:`check` compares the ranks
of one node with it and raises :class:`eoc.errors.InputError` naming N, ranks, dtype, the estimate
and what is available.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from eoc.errors import InputError
from eoc.simulate.engine import steps_per_lag
from eoc.simulate.models import MODELS

#: Units whose h is sampled for the autocorrelation (evenly spaced; see eoc.simulate.driver).
AUTOCORR_UNITS = 256
#: Copies of (state, tangents) alive during one step (temporaries of the LSTM map or of RK4).
WORKING_COPIES = 16
#: Copies of the sampled h of one chunk of units alive while its autocorrelation is transformed
#: (zero-padded rfft, power spectrum, irfft: 2 + 3 + 2 float64 lengths of the samples).
FFT_COPIES = 8
FFT_CHUNK = 16
#: Copies of the D × D zero-state Jacobian (the gathered matrix, its pieces, LAPACK's work arrays).
JACOBIAN_COPIES = 4
#: A process with NumPy, SciPy, xarray, netCDF4 loaded (measured: 290 MiB peak for a whole run at N = 16).
BASE_BYTES = 320 * 2**20

MiB = 2**20


@dataclass(frozen=True)
class Estimate:
    """Peak bytes of the largest rank, by part; ``per_rank`` is their sum."""

    weights: int
    dynamics: int
    samples: int
    rates: int
    jacobian: int
    checkpoint: int
    base: int

    @property
    def per_rank(self) -> int:
        return self.weights + self.dynamics + self.samples + self.rates + self.jacobian + self.checkpoint + self.base

    def describe(self) -> str:
        parts = ", ".join(f"{name} {value / MiB:.0f}" for name, value in vars(self).items() if value >= MiB / 2)
        return f"{self.per_rank / MiB:,.0f} MiB per rank ({parts} MiB)"


def recorded_units(N: int, units: range) -> int:
    """How many of ``units`` are among the evenly spaced autocorrelation units (stride N // 256)."""
    stride = max(1, N // AUTOCORR_UNITS)
    return len(range(units.start + (-units.start) % stride, units.stop, stride))


def estimate(
    *,
    model: str,
    N: int,
    ranks: int = 1,
    dtype: str = "float64",
    points: int = 1,
    k: int = 1,
    steps: int = 5000,
    transient: int = 0,
    renorm_interval: int = 10,
    dt: float = 0.1,
    jacobian_max_N: int = 1000,
    with_checkpoint: bool = False,
    networks: int = 1,
) -> Estimate:
    """Peak memory of the first (largest) rank of a run; the arguments are those of the driver
    (``dt``: the rate model's step; h is sampled every max(1, round(1/dt)) steps; the LSTM's every step;
    ``networks``: seeds stepped together, each with its own weights and ``points`` points)."""
    points *= networks
    facts = MODELS[model]  # weight blocks G, state variables per unit, time step
    lag_steps = steps_per_lag(facts.check_time_step(dt))
    size = np.dtype(dtype).itemsize
    n = math.ceil(N / ranks)
    rows = facts.state_per_unit * n
    columns = points * (1 + k)
    sampled = steps // lag_steps
    recorded = recorded_units(N, range(0, n))
    samples = sampled * recorded * points * 8
    transforms = FFT_COPIES * samples * min(FFT_CHUNK, recorded) // max(recorded, 1)
    state = rows * columns * size
    dynamics = WORKING_COPIES * state + 2 * N * columns * size + 3 * rows * points * k * 8
    dim = facts.state_per_unit * N
    gathered = 0
    if with_checkpoint:  # every rank's state, tangents and samples on the first rank
        gathered = dim * columns * size + sampled * recorded_units(N, range(0, N)) * points * 8
    return Estimate(
        weights=networks * len(facts.weight_blocks) * n * N * size,
        dynamics=dynamics,
        samples=samples + transforms,
        rates=2 * (steps // renorm_interval + 1) * points * 8,
        jacobian=JACOBIAN_COPIES * dim * dim * 8 if N <= jacobian_max_N else 0,
        checkpoint=gathered,
        base=BASE_BYTES,
    )


def node_memory(environ=os.environ, meminfo: str = "/proc/meminfo", *, total: bool = False) -> tuple[int | None, str]:
    """(bytes the job may use on one node, where that number comes from); (None, why) if unknown.

    ``total``: the machine's MemTotal instead of MemAvailable (to plan jobs that run later)."""
    if environ.get("SLURM_MEM_PER_NODE"):
        return int(environ["SLURM_MEM_PER_NODE"]) * MiB, "Slurm's allocation (SLURM_MEM_PER_NODE)"
    if environ.get("SLURM_MEM_PER_CPU"):
        cpus = environ.get("SLURM_CPUS_ON_NODE") or environ.get("SLURM_JOB_CPUS_PER_NODE", "1").split("(")[0]
        per_cpu = int(environ["SLURM_MEM_PER_CPU"])
        return per_cpu * int(cpus) * MiB, f"Slurm's allocation (SLURM_MEM_PER_CPU={per_cpu} MiB x {cpus} CPUs)"
    try:
        with open(meminfo, encoding="ascii") as handle:
            key = "MemTotal:" if total else "MemAvailable:"
            for line in handle:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024, f"{key[:-1]} of this machine"
    except OSError:
        pass
    return None, "unknown (no Slurm allocation, no /proc/meminfo)"


def check(
    need: Estimate,
    *,
    N: int,
    ranks: int,
    dtype: str,
    ranks_per_node: int | None = None,
    available: tuple[int | None, str] | None = None,
) -> None:
    """Raise InputError when ``ranks_per_node`` (default: all) ranks of ``need`` do not fit in
    ``available`` (bytes, source; default :func:`node_memory`)."""
    have, source = available if available is not None else node_memory()
    on_node = ranks if ranks_per_node is None else ranks_per_node
    total = need.per_rank * on_node
    if have is not None and total > have:
        raise InputError(
            f"N={N} on {ranks} rank(s) in {dtype} needs about {total / MiB:,.0f} MiB on one node "
            f"({on_node} rank(s) x {need.describe()}), but {have / MiB:,.0f} MiB are available "
            f"({source}): use more ranks or nodes, float32, a smaller N or fewer steps"
        )


#: Variables in which launchers give the number of ranks on this node (MPICH/Hydra, Open MPI, Slurm).
_LOCAL_RANKS = ("MPI_LOCALNRANKS", "OMPI_COMM_WORLD_LOCAL_SIZE", "SLURM_NTASKS_PER_NODE")


def ranks_on_node(ranks: int, environ=os.environ) -> int:
    """Ranks of this job on this node: the launcher's count where it gives one, else all ``ranks``."""
    for name in _LOCAL_RANKS:
        value = environ.get(name, "").split("(")[0]
        if value.isdigit():
            return min(int(value), ranks)
    return ranks
