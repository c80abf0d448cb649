"""Run under ``mpiexec -n P``: a short LSTM run with a checkpoint after every renormalisation.

    checkpointed_run.py OUT CHECKPOINT KILL_AT

With KILL_AT > 0, rank 0 SIGKILLs itself right after writing its KILL_AT-th checkpoint (the launcher
then ends the other ranks), which simulates a job killed mid-run; KILL_AT = 0 runs to the end.
"""

import os
import signal
import sys

from eoc.logs import configure
from eoc.simulate import checkpoint, run
from eoc.simulate.parallel import world

configure("INFO")

out, path, kill_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
original, count = checkpoint.save, [0]


def save(*args, **kwargs):
    original(*args, **kwargs)
    count[0] += 1
    if count[0] == kill_at and world().rank == 0:
        os.kill(os.getpid(), signal.SIGKILL)


checkpoint.save = save
run(
    model="lstm",
    g=[2.5, 3.0],
    sigma_b=[0.2],
    N=15,
    seed=3,
    steps=300,
    transient=50,
    k=2,
    n_lags=10,
    checkpoint=path,
    checkpoint_seconds=0,
    out=out,
)
