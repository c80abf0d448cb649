"""The MPI layer: a communicator with a serial stand-in, and the row-block partition of the units.

The engine distributes the N units (and with them the rows of the recurrent matrix that produce
those units' inputs) over the ranks in contiguous blocks. :func:`world` returns an MPI
communicator when MPI has been started (``mpiexec -n P python -m mpi4py -m eoc ...``, or a launcher
whose environment says so) and otherwise :class:`SerialComm`, so the package imports and runs
without mpi4py and without MPI started.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eoc.errors import InputError
from eoc.launcher import started_mpi


class SerialComm:
    """The one-process stand-in for an MPI communicator (the same methods, no communication)."""

    rank = 0
    size = 1
    library = "none"

    def allgather_rows(self, local: np.ndarray, partition: Partition) -> np.ndarray:
        """Stack every rank's row block of a C-ordered array; serially the block is the whole."""
        return local

    def allreduce(self, values: np.ndarray, op: str = "sum") -> np.ndarray:
        """Element-wise reduction over ranks (``op``: "sum", "min" or "max")."""
        return np.array(values, copy=True)

    def allgather(self, obj) -> list:
        return [obj]

    def gather(self, obj) -> list:
        return [obj]

    def scatter(self, objs):
        return objs[0]

    def bcast(self, obj):
        return obj


class MPIComm:
    """mpi4py's communicator behind the :class:`SerialComm` interface."""

    def __init__(self, comm) -> None:
        from mpi4py import MPI

        self._MPI = MPI
        self._comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()
        self.library = MPI.Get_library_version().strip().splitlines()[0]

    def allgather_rows(self, local: np.ndarray, partition: Partition) -> np.ndarray:
        """Allgatherv of contiguous row blocks: rank r contributes rows ``partition.rows(r)``."""
        from mpi4py.util.dtlib import from_numpy_dtype

        local = np.ascontiguousarray(local)
        row_size = int(np.prod(local.shape[1:], dtype=np.int64))
        out = np.empty((partition.n,) + local.shape[1:], dtype=local.dtype)
        counts = partition.counts * row_size
        displacements = partition.offsets * row_size
        self._comm.Allgatherv(local, [out, counts, displacements, from_numpy_dtype(local.dtype)])
        return out

    def allreduce(self, values: np.ndarray, op: str = "sum") -> np.ndarray:
        values = np.ascontiguousarray(values)
        out = np.empty_like(values)
        mpi_op = {"sum": self._MPI.SUM, "min": self._MPI.MIN, "max": self._MPI.MAX}[op]
        self._comm.Allreduce(values, out, op=mpi_op)
        return out

    def allgather(self, obj) -> list:
        return self._comm.allgather(obj)

    def gather(self, obj) -> list | None:
        return self._comm.gather(obj, root=0)

    def scatter(self, objs):
        return self._comm.scatter(objs, root=0)

    def bcast(self, obj):
        return self._comm.bcast(obj, root=0)


def world() -> SerialComm | MPIComm:
    """COMM_WORLD when MPI is started (or a launcher started this process), else a serial stand-in."""
    mpi = started_mpi()
    return SerialComm() if mpi is None else MPIComm(mpi.COMM_WORLD)


@dataclass(frozen=True)
class Partition:
    """Contiguous blocks of ``n`` units over ``size`` ranks; the first ``n % size`` get one more."""

    n: int
    size: int

    def __post_init__(self) -> None:
        if self.size > self.n:
            raise InputError(f"more MPI ranks ({self.size}) than units N={self.n}: use at most {self.n} ranks")

    @property
    def counts(self) -> np.ndarray:
        base, extra = divmod(self.n, self.size)
        return np.array([base + (r < extra) for r in range(self.size)], dtype=np.int64)

    @property
    def offsets(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.counts)[:-1]]).astype(np.int64)

    def rows(self, rank: int) -> slice:
        """The units (global indices) that ``rank`` owns."""
        start = int(self.offsets[rank])
        return slice(start, start + int(self.counts[rank]))
