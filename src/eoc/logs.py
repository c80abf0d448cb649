"""Rank-aware logging: every record names its MPI rank, and only rank 0 speaks at INFO.

The rank is read from MPI when mpi4py is already initialised and otherwise from the launcher's
environment (:mod:`eoc.launcher`), so importing this module never starts MPI.
"""

from __future__ import annotations

import logging
import sys

from eoc.launcher import process_rank


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
