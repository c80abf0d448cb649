"""Cost and accuracy of the LSTM mean-field solver: one point, and the grid of config/paper.yaml.

    PYTHONPATH=src .venv/bin/python -m benchmarks.bench_meanfield_lstm [--g 3.0] [--grid]

Part 1 solves one chaotic point (default g = 3, σ_b = 0) with the default options on one core
(OMP/OpenBLAS/numba one thread) and reports CPU time, wall time, the relative statistical error
of C_h(0) and of λ_max, and their fixed-point residuals. Target (issue 11): 1e-3 in C_h(0) and
3e-3 in λ_max within 30 s. Part 2 (--grid) times a sample of the ``dmft_lstm`` grid of
config/paper.yaml and extrapolates to the whole grid on 2 cores (target: one hour). The load
average is printed beside every number: on the shared 2-core machine wall times are not to be
trusted, CPU times less so (cache and memory contention); rerun on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402
import yaml  # noqa: E402

from eoc.meanfield.lstm import Options, solve  # noqa: E402
from eoc.meanfield.lstm.parameters import Parameters  # noqa: E402
from eoc.meanfield.lstm.solution import solve_point  # noqa: E402

PAPER = Path(__file__).resolve().parents[1] / "config" / "paper.yaml"
#: The LSTM grid intended for config/paper.yaml (key ``dmft_lstm``), used until the key exists.
PAPER_GRID = {
    "g": np.round(np.arange(0.5, 5.01, 0.25), 2).tolist(),
    "sigma_b": [0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5],
}


def one_point(g: float, sigma_b: float) -> dict:
    solve(1.0, 0.0)  # imports, numba compilation (cached)
    solve(2.6, 0.0, paths=64, coarse_paths=64, batches=2, fine_iterations=1, max_iterations=1)
    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    s = solve(g, sigma_b)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "g": g,
        "sigma_b": sigma_b,
        "cpu_s": cpu,
        "wall_s": wall,
        "load_start": load,
        "load_end": os.getloadavg()[0],
        "C0": s.C0,
        "C0_rel_stderr": s.C0_stderr / s.C0,
        "C0_rel_residual": s.C0_residual / s.C0,
        "lyapunov_max": s.lyapunov_max,
        "lyapunov_rel_stderr": s.lyapunov_max_stderr / abs(s.lyapunov_max),
        "lyapunov_rel_residual": s.lyapunov_residual / abs(s.lyapunov_max),
        "status": s.status,
    }


def grid_sample(count: int) -> dict:
    grid = yaml.safe_load(PAPER.read_text()).get("dmft_lstm", PAPER_GRID)
    G, S = (a.ravel() for a in np.meshgrid(grid["g"], grid["sigma_b"], indexing="ij"))
    pick = np.linspace(0, G.size - 1, count).astype(int)
    options = Options(**grid.get("options", {}))
    load = os.getloadavg()[0]
    cpu = time.process_time()
    for k in pick:
        solve_point(Parameters.make(G[k], S[k]), options)
    cpu = time.process_time() - cpu
    per_point = cpu / count
    return {
        "points": int(G.size),
        "sampled": count,
        "cpu_s_per_point": per_point,
        "grid_hours_on_2_cores": per_point * G.size / 2 / 3600,
        "load_start": load,
        "load_end": os.getloadavg()[0],
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--g", type=float, default=3.0)
    parser.add_argument("--sigma-b", type=float, default=0.0)
    parser.add_argument("--grid", type=int, default=0, metavar="COUNT", help="time COUNT points of the paper grid")
    args = parser.parse_args(argv)
    for key, value in one_point(args.g, args.sigma_b).items():
        print(f"{key:>24}: {value}")
    if args.grid:
        for key, value in grid_sample(args.grid).items():
            print(f"{key:>24}: {value}")


if __name__ == "__main__":
    main()
