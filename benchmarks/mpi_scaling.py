"""MPI strong scaling of the LSTM step: run under ``mpiexec -n P`` with one BLAS/numba thread per rank.

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 .venv/bin/mpiexec -n 2 .venv/bin/python -m benchmarks.mpi_scaling \
        --N 8192 --dtype float64 --k 1

Each rank holds its row block of the stacked 4N × N matrix (:mod:`eoc.simulate.disorder` layout);
a step is the engine's ``LSTM.step()``: one Allgatherv of the (N, 1+k) columns and one product.
Rank 0 prints one JSON line: seconds per step (best of ``--repeats`` blocks of ``--steps`` steps,
between barriers) and seconds per Allgatherv of the columns alone (the communication in a step).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from mpi4py import MPI

from benchmarks.engine_steps import dynamics, random_disorder
from eoc.simulate.parallel import MPIComm, Partition


def _best_block_seconds(call, comm, *, steps: int, repeats: int) -> float:
    """Best over ``repeats`` blocks of the time per call, each block ``steps`` calls between barriers."""
    call()
    best = float("inf")
    for _ in range(repeats):
        comm.Barrier()
        start = time.perf_counter()
        for _ in range(steps):
            call()
        comm.Barrier()
        best = min(best, (time.perf_counter() - start) / steps)
    return best


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--N", type=int, required=True)
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    parser.add_argument("--k", type=int, default=1)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    world = MPI.COMM_WORLD
    comm = MPIComm(world)
    disorder = random_disorder("lstm", n=args.N, dtype=args.dtype, comm=comm)
    system = dynamics("lstm", disorder, k=args.k, points=1, comm=comm)
    step = _best_block_seconds(system.step, world, steps=args.steps, repeats=args.repeats)
    partition = Partition(args.N, world.size)
    local = np.ones((disorder.units.stop - disorder.units.start, 1 + args.k), dtype=args.dtype)
    gather = _best_block_seconds(lambda: comm.allgather_rows(local, partition), world, steps=50, repeats=args.repeats)
    if world.rank == 0:
        print(
            json.dumps(
                {
                    "ranks": world.size,
                    "N": args.N,
                    "dtype": args.dtype,
                    "k": args.k,
                    "step_seconds": step,
                    "allgather_seconds": gather,
                }
            )
        )


if __name__ == "__main__":
    main()
