"""A job's failure record: the per-job result file of a job whose program failed.

The sweep declares every per-job ``.nc`` as a Snakemake output, yet a failing program must not
stop the sweep. The rule therefore writes, in place of the result, a netCDF file without data
whose attribute ``eoc_failed_job`` says why (exit status, log file); the merge marks the job's
cells ``missing`` with that reason. Delete the record (or run Snakemake with ``--forcerun``) to
run the job again.

    python -m eoc.merge.failures OUT REASON
"""

from __future__ import annotations

import os
import sys

import xarray as xr

from eoc import io
from eoc.merge.combine import FAILURE


def record(path: str | os.PathLike, reason: str) -> None:
    """Write the failure record of a job to ``path`` (atomically, readable as the umask says)."""
    ds = xr.Dataset(attrs=io.provenance({}, title="eoc: failure record of a job without a result"))
    ds.attrs[FAILURE] = reason
    io.write_dataset(ds, path)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.rsplit("\n\n", 1)[-1].strip())
    record(sys.argv[1], sys.argv[2])
