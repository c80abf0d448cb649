"""Is this process one rank of an MPI job? The one place that reads the launchers' environment.

A process counts as started by an MPI launcher when one of :data:`LAUNCHER_VARIABLES` is set
(Hydra/MPICH, Open MPI, PMIx, Slurm's PMI-2 set them in every rank), and its rank is read from
:data:`RANK_VARIABLES` until MPI itself can be asked. Nothing here imports mpi4py unless a launcher
started the process, so importing the package never starts MPI by accident, and this module imports
neither numpy nor mpi4py at import time.
"""

from __future__ import annotations

import os
import sys

#: Environment variables that launchers (Hydra/MPICH, Open MPI, PMIx, Slurm's PMI-2) set in every rank.
LAUNCHER_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK")
#: Environment variables that hold a rank's index in COMM_WORLD (the first one set wins).
RANK_VARIABLES = ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "SLURM_PROCID")
#: Environment in which the workflow (and the benchmarks) start ``mpiexec``. MPICH's launcher
#: (Hydra, 5.0) has its proxy write the node's hardware topology to
#: ``/tmp/hydra_hwloc_xmlfile_XXXXXX`` (a fixed folder, not ``$TMPDIR``) for the ranks to read, and
#: removes it only when it exits normally: every killed run (SIGKILL of ``mpiexec``, a job killed
#: at its time limit) left one behind. With ``HWLOC_XMLFILE`` set, Hydra writes none; set empty, it
#: names no file, so hwloc in the proxy and the ranks discovers the topology itself, as without
#: Hydra. Other launchers (``srun``) ignore it.
LAUNCHER_ENVIRONMENT = {"HWLOC_XMLFILE": ""}


def started_mpi():
    """mpi4py's ``MPI`` module when MPI is running in this process, else None.

    MPI runs when it was started (``python -m mpi4py``, or mpi4py imported) or when a launcher
    started this process (then mpi4py is imported here, which initialises MPI)."""
    mpi = sys.modules.get("mpi4py.MPI")
    if mpi is None and any(variable in os.environ for variable in LAUNCHER_VARIABLES):
        try:
            from mpi4py import MPI as mpi
        except ImportError:
            return None
    if mpi is None or not mpi.Is_initialized() or mpi.Is_finalized():
        return None
    return mpi


def process_rank() -> int:
    """This process's rank in COMM_WORLD, without initialising MPI (0 when not under MPI)."""
    mpi = sys.modules.get("mpi4py.MPI")
    if mpi is not None and mpi.Is_initialized() and not mpi.Is_finalized():
        return mpi.COMM_WORLD.Get_rank()
    for variable in RANK_VARIABLES:
        if variable in os.environ:
            return int(os.environ[variable])
    return 0
