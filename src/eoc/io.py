"""netCDF output: variable metadata, provenance attributes and atomic writes.

Every file the project writes goes through :func:`write_dataset`: the dataset is written to a
temporary file in the target folder and renamed over the target, so a killed job never leaves a
half-written file behind.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import socket
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import xarray as xr

from eoc import __version__
from eoc.errors import InputError


def annotate(ds: xr.Dataset, metadata: Mapping[str, tuple[str, str]]) -> xr.Dataset:
    """Set ``units`` and ``long_name`` on every variable and coordinate named in ``metadata``.

    ``metadata`` maps a name to ``(units, long_name)``; ``"1"`` is the unit of a pure number.
    """
    for name, (units, long_name) in metadata.items():
        if name in ds.variables:
            ds[name].attrs.update(units=units, long_name=long_name)
    return ds


def git_revision() -> str:
    """The git commit of the source tree this package runs from, or ``"unknown"``."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 else "unknown"


def provenance(config: Mapping, *, mpi_size: int = 1, mpi_library: str = "none") -> dict[str, str | int]:
    """Attributes that say how a file was made: package version, git revision, the run's
    configuration (JSON), MPI size and library, host, time (UTC), library versions, and the sizes
    of this process's numba and BLAS thread pools (:func:`eoc.threads.current`)."""
    from eoc import threads

    return {
        "eoc_version": __version__,
        "git_revision": git_revision(),
        "config": json.dumps(dict(config), sort_keys=True, default=str),
        "mpi_size": int(mpi_size),
        "mpi_library": mpi_library,
        "host": socket.gethostname(),
        "created_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "python_version": platform.python_version(),
        "numpy_version": np.__version__,
        "xarray_version": xr.__version__,
        **threads.current(),
    }


def check_writable(path: str | os.PathLike) -> Path:
    """Check before any work that ``path``'s folder exists or can be made, and is writable."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"output path {str(path)!r} is a directory, not a file")
    check_folder(path.parent)
    return path


def check_folder(folder: str | os.PathLike, *, name: str = "output folder") -> Path:
    """Check before any work that ``folder`` exists or can be made, and is writable; the message
    calls it ``name`` (an option's name, say)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{name} {str(folder)!r} cannot be created: it exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"{name} {str(folder)!r} cannot be created: {error.strerror}") from None
    if not os.access(folder, os.W_OK):
        raise InputError(f"{name} {str(folder)!r} is not writable")
    return folder


def write_dataset(ds: xr.Dataset, path: str | os.PathLike) -> Path:
    """Write ``ds`` to netCDF at ``path`` atomically (temporary file + rename)."""
    path = check_writable(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    try:
        ds.to_netcdf(tmp, engine="netcdf4")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
