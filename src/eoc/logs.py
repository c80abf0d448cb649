"""Rank-aware logging: every record names its MPI rank, and only rank 0 speaks at INFO.

The rank is read from MPI when mpi4py is already initialised and otherwise from the launcher's
environment (Hydra/MPICH, Open MPI, Slurm), so importing this module never starts MPI.
"""

from __future__ import annotations

import logging
import os
import sys

_RANK_VARIABLES = ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "SLURM_PROCID")


def process_rank() -> int:
    """This process's rank in COMM_WORLD, without initialising MPI."""
    mpi = sys.modules.get("mpi4py.MPI")
    if mpi is not None and mpi.Is_initialized() and not mpi.Is_finalized():
        return mpi.COMM_WORLD.Get_rank()
    for variable in _RANK_VARIABLES:
        if variable in os.environ:
            return int(os.environ[variable])
    return 0


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time of the record (it may be replaced later)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


class _RankFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.rank = process_rank()
        return record.rank == 0 or record.levelno >= logging.WARNING


def get_logger(name: str) -> logging.Logger:
    """A logger under the ``eoc`` hierarchy."""
    return logging.getLogger(name if name.startswith("eoc") else f"eoc.{name}")


def configure(level: int | str = logging.INFO) -> None:
    """Send ``eoc`` records to stderr as ``time [rank r] level name: message`` (idempotent)."""
    root = logging.getLogger("eoc")
    root.setLevel(level)
    if not any(isinstance(h, _StderrHandler) for h in root.handlers):
        handler = _StderrHandler()
        handler.addFilter(_RankFilter())
        handler.setFormatter(logging.Formatter("%(asctime)s [rank %(rank)d] %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
