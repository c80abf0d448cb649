"""Checkpoints of a running simulation: one atomic ``.npz`` file written by rank 0.

A checkpoint holds everything the run needs to continue bit-identically on the same rank count:
the step, each rank's state, tangent vectors and partial sums (``local``), and the quantities that
are the same on every rank (``shared``: Lyapunov sums, statuses, elapsed time). The weights are not
stored: they are drawn again from the seed. A ``fingerprint`` (the run's configuration and rank
count, as JSON) guards against resuming a different run from the file.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from eoc import io
from eoc.errors import InputError


def save(path: Path, *, fingerprint: str, shared: dict, local: dict, comm) -> None:
    """Gather every rank's ``local`` arrays on rank 0, which writes the file atomically."""
    pieces = comm.gather(local)
    if comm.rank != 0:
        return
    arrays = {"fingerprint": np.array(fingerprint)}
    arrays.update({f"shared/{name}": np.asarray(value) for name, value in shared.items()})
    for rank, piece in enumerate(pieces):
        arrays.update({f"rank{rank}/{name}": np.asarray(value) for name, value in piece.items()})
    with io.atomic(path) as tmp, open(tmp, "wb") as handle:
        np.savez(handle, **arrays)


class DamagedCheckpoint(InputError):
    """The checkpoint file cannot be read (empty, truncated, corrupt): see :func:`set_aside`."""


def load(path: Path, *, fingerprint: str, comm) -> tuple[dict, dict] | None:
    """Return (shared, this rank's local) from ``path``, or None when there is no checkpoint.

    Raises :class:`DamagedCheckpoint` when the file is empty, truncated or corrupt (every array
    is read and checked, CRC included, on rank 0), and InputError when it was written by a run
    with another configuration or rank count.
    """
    if not path.exists():
        return None
    pieces = shared = error = damaged = None
    if comm.rank == 0:
        try:
            saved, shared, pieces = _read(path, comm.size)
        except Exception as failure:
            damaged = (
                f"checkpoint {str(path)!r} is empty"
                if path.stat().st_size == 0
                else f"checkpoint {str(path)!r} is truncated or corrupt ({type(failure).__name__}: {failure})"
            )
        else:
            if saved != fingerprint:
                error = f"checkpoint {str(path)!r} belongs to another run ({saved}); move it away or delete it"
    damaged, error = comm.bcast((damaged, error))
    if damaged:
        raise DamagedCheckpoint(
            f"{damaged}; delete it to start afresh, or let the run set it aside "
            "(eoc simulate --damaged-checkpoint restart)"
        )
    if error:
        raise InputError(error)
    return comm.bcast(shared), comm.scatter(pieces)


def _read(path: Path, ranks: int) -> tuple[str, dict, list[dict]]:
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}  # reads (and CRC-checks) every member
    saved = str(arrays.pop("fingerprint"))
    shared = {k.split("/", 1)[1]: v for k, v in arrays.items() if k.startswith("shared/")}
    pieces = [
        {k.split("/", 1)[1]: v for k, v in arrays.items() if k.startswith(f"rank{rank}/")} for rank in range(ranks)
    ]
    return saved, shared, pieces


def set_aside(path: Path, comm) -> Path | None:
    """Rename a damaged checkpoint to ``NAME.damaged-YYYYmmddTHHMMSS`` (rank 0) so that the run
    starts afresh; returns the new name (on every rank)."""
    aside = None
    if comm.rank == 0:
        aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}")
        os.replace(path, aside)
    return comm.bcast(aside)
