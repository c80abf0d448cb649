"""netCDF output: variable metadata, provenance attributes and atomic writes.

Every file the project writes goes through :func:`write_dataset`: the dataset is encoded to the
CF form of :mod:`eoc.contract`, written to a temporary file in the target folder and renamed over
the target, so a killed job never leaves a half-written file behind. The file gets the permissions
that the umask gives a new file (:func:`readable_as_umask`), as every atomic writer of the project
does (results, figures, checkpoints).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import glob
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import xarray as xr

from eoc import __version__, contract
from eoc.errors import InputError


def annotate(ds: xr.Dataset, metadata: Mapping[str, tuple[str, ...]]) -> xr.Dataset:
    """Set ``units``, ``long_name`` (and ``description``) on every variable named in ``metadata``.

    ``metadata`` maps a name to ``(units, long_name)`` or ``(units, long_name, description)``:
    a short ``long_name`` (a plot label), the formula or the details in ``description``. Units
    are UDUNITS strings; ``"1"`` is the unit of a pure number, and ``""`` leaves ``units`` out
    (labels, flags, and the dimensionless coordinates whose plot label reads better without
    ``[1]``, which CF allows).
    """
    for name, (units, long_name, *description) in metadata.items():
        if name in ds.variables:
            attrs = ds[name].attrs
            if units:
                attrs["units"] = units
            else:
                attrs.pop("units", None)
            attrs["long_name"] = long_name
            if description:
                attrs["description"] = description[0]
    return ds


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args], cwd=Path(__file__).resolve().parent, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def git_revision() -> str:
    """The git commit of the source tree this package runs from, or ``"unknown"``."""
    return _git("rev-parse", "HEAD") or "unknown"


def git_tree_dirty() -> str:
    """``"yes"`` when the source tree has changes to tracked files that are not committed,
    ``"no"`` when it is clean, ``"unknown"`` outside a git checkout."""
    status = _git("status", "--porcelain", "--untracked-files=no")
    return "unknown" if status is None else ("yes" if status else "no")


def provenance(
    config: Mapping, *, mpi_size: int = 1, mpi_library: str = "none", title: str = "eoc output"
) -> dict[str, str | int]:
    """Attributes that say how a file was made: the CF global attributes (Conventions, title,
    source, history, references), package version, git revision and whether the tree was dirty,
    the run's configuration (JSON), MPI size and library, host, time (UTC), library versions, and
    the sizes of this process's numba and BLAS thread pools (:func:`eoc.threads.current`)."""
    from eoc import threads

    created = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv and sys.argv[0] else "python"
    return {
        **contract.global_attributes(title=title, source=f"eoc {__version__}", history=f"{created} {command}"),
        "eoc_version": __version__,
        "git_revision": git_revision(),
        "git_tree_dirty": git_tree_dirty(),
        "config": json.dumps(dict(config), sort_keys=True, default=str),
        "mpi_size": int(mpi_size),
        "mpi_library": mpi_library,
        "host": socket.gethostname(),
        "created_utc": created,
        "python_version": platform.python_version(),
        "numpy_version": np.__version__,
        "xarray_version": xr.__version__,
        **threads.current(),
    }


def readable_as_umask(path: str | os.PathLike) -> None:
    """Give ``path`` the permissions of a new file under the current umask (0666 & ~umask).

    ``tempfile.mkstemp`` creates its file 0600 whatever the umask; an atomic writer calls this on
    the temporary file before renaming it over the target, so results, figures and checkpoints
    are as readable as any other file the user writes (0644 under umask 022)."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def check_writable(path: str | os.PathLike, *, name: str = "output") -> Path:
    """Check before any work that a file can be written at ``path`` (see :func:`check_folder`);
    nothing is created. The message calls the file ``name`` (an option's name, say)."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{name} path {str(path)!r} is a directory, not a file")
    check_folder(path.parent, name=f"{name} folder")
    return path


def check_folder(folder: str | os.PathLike, *, name: str = "output folder") -> Path:
    """Check before any work that ``folder`` exists and is writable, or can be made: a temporary
    file is created and removed in it (or, while it does not exist, in its nearest existing
    ancestor, where it would be made). ``os.access`` is not asked: it says yes to root even where
    writing fails (``/sys``, read-only mounts). Nothing is left behind and no folder is made."""
    folder = Path(folder)
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"{name} {str(folder)!r} cannot be created: {str(existing)!r} exists and is not a folder")
    try:
        fd, probe = tempfile.mkstemp(dir=existing, prefix=".eoc-probe.")
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        where = "" if existing == folder else f" (its existing parent {str(existing)!r})"
        raise InputError(f"{name} {str(folder)!r}{where} is not writable: {error.strerror}") from None
    return folder


#: A writer's temporary file beside its target: ``.NAME.PID@HOST.RANDOM.part``.
_PART = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)@(?P<host>.+)\.[^.]+\.part$")
#: Temporary files of writers on other hosts (shared file systems) are stale after this long.
STALE_SECONDS = 24 * 3600


def remove_stale_parts(path: str | os.PathLike) -> list[Path]:
    """Remove the temporary files that killed writers of ``path`` left beside it; return them.

    A part is stale when its writer process (the PID and host in its name) no longer runs on this
    host, or when it comes from another host and was last written :data:`STALE_SECONDS` ago, or
    when it has the older name ``.NAME.RANDOM.part`` and is an hour old. A live writer's part is kept.
    """
    path = Path(path)
    removed = []
    host = socket.gethostname()
    for part in path.parent.glob(f".{glob.escape(path.name)}.*.part"):
        match = _PART.match(part.name)
        try:
            age = time.time() - part.stat().st_mtime
        except OSError:
            continue
        if match is None or match["name"] != path.name:
            stale = match is None and age > 3600
        elif match["host"] == host:
            stale = not _running(int(match["pid"]))
        else:
            stale = age > STALE_SECONDS
        if stale:
            part.unlink(missing_ok=True)
            removed.append(part)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def atomic(path: str | os.PathLike):
    """Write a file atomically: yields a temporary path beside ``path`` (folders made as needed,
    stale parts of killed writers removed first); on success it gets the umask's permissions and
    is renamed over ``path``; on any error it is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_parts(path)
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.{os.getpid()}@{socket.gethostname()}.", suffix=".part"
    )
    os.close(fd)
    try:
        yield tmp
        readable_as_umask(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_dataset(ds: xr.Dataset, path: str | os.PathLike) -> Path:
    """Write ``ds`` to netCDF at ``path`` atomically (:func:`atomic`), in the CF form of
    :func:`eoc.contract.encode`, readable as the umask says."""
    path = check_writable(path)
    encoded, encoding = contract.encode(ds)
    with atomic(path) as tmp:
        encoded.to_netcdf(tmp, engine="netcdf4", encoding=encoding)
    return path
