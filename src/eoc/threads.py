"""Thread pools that follow the allocation: how many threads numba's and BLAS's pools get per process.

A process gets the cores it was given, shared with the MPI ranks on its node that were given the
same cores:

    threads = max(1, |A| // r),     capped by SLURM_CPUS_PER_TASK and by the thread variables
                                    (OMP_NUM_THREADS, ...) where they are set,

with A the process's CPU affinity (``os.sched_getaffinity``: the cpuset of a Slurm step or of a
``taskset``/binding launcher) and r the number of MPI ranks on this node (``Split_type(
COMM_TYPE_SHARED)``) whose affinity overlaps A (ranks bound to disjoint cores each keep their own;
``mpiexec -n 2`` on a 2-core machine without binding gives 1 thread per rank). A thread variable set
for the process (by hand, or by Snakemake, which sets ``OMP_NUM_THREADS`` to a job's ``threads``)
is a cap, never a raise: a 1-thread Snakemake job stays at 1 thread. An explicit count
(``eoc ... --threads N``) overrides the choice.

:func:`apply` sets both pools, numba's (``numba.set_num_threads``, which runs the fused and panel
kernels of :mod:`eoc.kernels`) and BLAS's (GEMV/GEMM, QR: ``threadpoolctl``), to that count. The
command line calls it before numpy is imported, so it also exports ``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS`` and ``NUMBA_NUM_THREADS`` (BLAS never starts more
threads than it may use, and ``mpiexec -n P`` or ``srun`` never oversubscribes the node) and, unless
set, ``OPENBLAS_THREAD_TIMEOUT=4`` (idle BLAS threads sleep at once instead of spinning ~0.1 s
against the numba kernels). :func:`current` reports the pool sizes for the provenance.

This module imports neither numpy nor numba at import time.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from eoc import validation

#: The thread-count variables exported before the numerical libraries load.
POOL_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
#: Variables that cap the count when set: the Slurm task's cores and the thread variables.
CAP_VARIABLES = ("SLURM_CPUS_PER_TASK",) + POOL_VARIABLES
#: Idle OpenBLAS threads busy-wait 2^28 cycles (~0.1 s) after each call, against the numba kernels
#: of the next steps (docs/performance.md); 2^4 cycles makes them sleep at once. Kept if set by hand.
SPIN_VARIABLES = {"OPENBLAS_THREAD_TIMEOUT": "4"}


@dataclass(frozen=True)
class Allocation:
    """The cores a process was given: its CPU affinity, the affinities of the MPI ranks on its node
    (itself included), and the caps of its environment (``SLURM_CPUS_PER_TASK`` and the thread
    variables that are set, by name)."""

    cpus: frozenset[int]
    node_ranks: tuple[frozenset[int], ...]
    caps: tuple[tuple[str, str], ...] = ()

    def sharing(self) -> int:
        """Ranks on this node whose cores overlap this process's (itself included), at least 1."""
        return max(1, sum(1 for other in self.node_ranks if other & self.cpus))

    def describe(self) -> str:
        text = f"{len(self.cpus)} cpu(s) shared by {self.sharing()} rank(s) on the node"
        return text + "".join(f", {name}={value}" for name, value in self.caps)


def choose(allocation: Allocation, requested: int | None = None) -> int:
    """Threads per pool for one process: ``requested`` if given, else max(1, |A| // r), capped by
    every positive integer among the allocation's caps (others are ignored; module docstring)."""
    if requested is not None:
        return validation.integer("threads", requested, minimum=1)
    threads = max(1, len(allocation.cpus) // allocation.sharing())
    for _, value in allocation.caps:
        if value.strip().isdigit() and int(value) > 0:
            threads = min(threads, int(value))
    return threads


def own_cpus() -> frozenset[int]:
    """This process's CPU affinity (all CPUs where the platform has no affinity call)."""
    try:
        return frozenset(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return frozenset(range(os.cpu_count() or 1))


def node_comm():
    """mpi4py's communicator of the ranks on this node, or None when MPI is not running here.

    Only an MPI that already runs in this process counts (``python -m mpi4py``, as the sweep and the
    README start ranks): choosing threads never starts MPI itself, so a serial command inside an MPI
    job step (``eoc merge`` in a Slurm job, whose environment names a process manager it cannot
    reach) does not try to join one."""
    mpi = sys.modules.get("mpi4py.MPI")
    if mpi is None or not mpi.Is_initialized() or mpi.Is_finalized():
        return None
    return mpi.COMM_WORLD.Split_type(mpi.COMM_TYPE_SHARED)


#: Launcher variables holding the number of ranks on this node, for ranks that have not started MPI.
LOCAL_SIZE_VARIABLES = ("MPI_LOCALNRANKS", "OMPI_COMM_WORLD_LOCAL_SIZE")


def allocation(environ: Mapping[str, str] | None = None) -> Allocation:
    """This process's :class:`Allocation`, read from the OS, the environment and MPI."""
    environ = os.environ if environ is None else environ
    cpus = own_cpus()
    comm = node_comm()
    if comm is None:  # not (yet) running MPI: the launcher says how many ranks share this node
        local = next((int(environ[name]) for name in LOCAL_SIZE_VARIABLES if name in environ), 1)
        node_ranks: Iterable[frozenset[int]] = (cpus,) * max(local, 1)
    else:
        node_ranks = comm.allgather(cpus)
        comm.Free()
    caps = tuple((name, environ[name]) for name in CAP_VARIABLES if name in environ)
    return Allocation(cpus, tuple(node_ranks), caps)


def export(threads: int, environ: dict | None = None) -> None:
    """Set the pool variables to ``threads`` and OpenBLAS's spin time to its minimum unless set
    (read by BLAS/OpenMP/numba when they load)."""
    environ = os.environ if environ is None else environ
    for variable in POOL_VARIABLES:
        environ[variable] = str(threads)
    for variable, value in SPIN_VARIABLES.items():
        environ.setdefault(variable, value)


def apply(requested: int | None = None) -> dict:
    """Choose the thread count for this process and set numba's and BLAS's pools to it; return
    :func:`current` plus how it was chosen."""
    chosen = allocation()
    threads = choose(chosen, requested)
    export(threads)
    import numba
    from threadpoolctl import threadpool_limits

    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    threadpool_limits(limits=threads)
    global _SOURCE
    _SOURCE = "--threads" if requested is not None else chosen.describe()
    return current()


_SOURCE = "library defaults (eoc.threads.apply not called)"


def current() -> dict:
    """The pool sizes in this process: numba's threads, BLAS's threads (per library, the largest),
    OpenMP's, and how they were chosen (for the provenance)."""
    import numba
    from threadpoolctl import threadpool_info

    pools = threadpool_info()
    blas = [pool["num_threads"] for pool in pools if pool["user_api"] == "blas"]
    return {
        "numba_threads": int(numba.get_num_threads()),
        "blas_threads": int(max(blas)) if blas else 0,
        "threads_chosen_from": _SOURCE,
    }
