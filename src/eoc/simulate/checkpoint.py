"""Checkpoints of a running simulation: one atomic ``.npz`` file written by rank 0.

A checkpoint holds everything the run needs to continue bit-identically on the same rank count:
the step, each rank's state, tangent vectors and partial sums (``local``), and the quantities that
are the same on every rank (``shared``: Lyapunov sums, statuses, elapsed time). The weights are not
stored: they are drawn again from the seed. A ``fingerprint`` (the run's configuration and rank
count, as JSON) guards against resuming a different run from the file.
"""

from __future__ import annotations

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


def load(path: Path, *, fingerprint: str, comm) -> tuple[dict, dict] | None:
    """Return (shared, this rank's local) from ``path``, or None when there is no checkpoint.

    Raises InputError when the file was written by a run with another configuration or rank count.
    """
    if not path.exists():
        return None
    pieces = None
    shared = None
    if comm.rank == 0:
        with np.load(path) as data:
            saved = str(data["fingerprint"])
            if saved == fingerprint:
                shared = {k.split("/", 1)[1]: data[k] for k in data.files if k.startswith("shared/")}
                pieces = [
                    {k.split("/", 1)[1]: data[k] for k in data.files if k.startswith(f"rank{rank}/")}
                    for rank in range(comm.size)
                ]
        error = (
            None
            if saved == fingerprint
            else f"checkpoint {str(path)!r} belongs to another run ({saved}); move it away or delete it"
        )
    else:
        error = None
    error = comm.bcast(error)
    if error:
        raise InputError(error)
    return comm.bcast(shared), comm.scatter(pieces)
