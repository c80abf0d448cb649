"""Scale of the sweep pipeline: a dry-run of a 10,000-job grid (goal < 30 s) and the merge of
10,000 per-job files (goal < 60 s).

    .venv/bin/python benchmarks/bench_workflow.py [--jobs 10000] [--workers W]

The per-job files are small synthetic files that follow the data contract of docs/interfaces.md
(every variable of a real `eoc simulate` output, 100 lags, 8 exponents); writing them is not timed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import xarray as xr
import yaml

from eoc import io
from eoc.merge import merge_simulations

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DIMS = ("model", "g", "sigma_b", "N", "seed")


def grid(jobs: int) -> dict:
    """A sweep of ``jobs`` single-cell jobs: 2 models x 4 N x 10 seeds x g x 5 sigma_b."""
    n_g = jobs // (2 * 4 * 10 * 5)
    return dict(
        models=["lstm", "rate"],
        g=np.round(np.linspace(1.0, 3.0, n_g), 6).tolist(),
        sigma_b=[0.0, 0.1, 0.2, 0.3, 0.5],
        N=[256, 512, 1024, 2048],
        seeds=list(range(10)),
    )


def dry_run_seconds(cells: dict, folder: Path) -> tuple[float, int]:
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config.update(cells)
    config["simulate"]["batch"] = {"g": 1, "sigma_b": 1}
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    start = time.perf_counter()
    result = subprocess.run(
        [
            str(BIN / "snakemake"),
            "-s",
            str(REPO / "Snakefile"),
            "-d",
            str(folder),
            "-n",
            "--quiet",
            "rules",
            "--configfile",
            str(path),
        ],
        capture_output=True,
        text=True,
        env=os.environ | {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(result.stderr[-3000:])
    return seconds, int(re.search(r"^simulate\s+(\d+)$", result.stdout, re.M)[1])


def job_file(path: Path, model: str, g: float, sigma_b: float, N: int, seed: int, rng) -> None:
    lags, exponents = np.arange(100.0), np.arange(8)
    shape = (1, 1, 1, 1, 1)
    scalar = lambda: (DIMS, rng.normal(size=shape))  # noqa: E731
    ds = xr.Dataset(
        {
            "lyapunov_max": scalar(),
            "lyapunov_max_stderr": scalar(),
            "kaplan_yorke_dimension": scalar(),
            "C0": scalar(),
            "tau_corr": scalar(),
            "jacobian_radius": scalar(),
            "wall_time": scalar(),
            "lyapunov_spectrum": (DIMS + ("exponent",), rng.normal(size=shape + (8,))),
            "autocorr": (DIMS + ("lag",), rng.normal(size=shape + (100,))),
            "gate_mean": (DIMS + ("gate",), rng.normal(size=shape + (3,))),
            "gate_std": (DIMS + ("gate",), rng.normal(size=shape + (3,))),
            "status": (DIMS, np.full(shape, "ok")),
            "status_step": (DIMS, np.full(shape, -1)),
        },
        coords=dict(
            model=[model],
            g=[g],
            sigma_b=[sigma_b],
            N=[N],
            seed=[seed],
            lag=lags,
            exponent=exponents,
            gate=["f", "i", "o"],
        ),
    )
    ds.attrs.update(io.provenance({}, mpi_size=2))
    ds.to_netcdf(path)


def merge_seconds(cells: dict, folder: Path, workers: int | None) -> tuple[float, int]:
    rng = np.random.default_rng(0)
    paths = []
    for model in cells["models"]:
        for g in cells["g"]:
            for sigma_b in cells["sigma_b"]:
                for N in cells["N"]:
                    for seed in cells["seeds"]:
                        paths.append(folder / f"{model}_{g}_{sigma_b}_{N}_{seed}.nc")
                        job_file(paths[-1], model, g, sigma_b, N, seed, rng)
    expect = dict(model=cells["models"], g=cells["g"], sigma_b=cells["sigma_b"], N=cells["N"], seed=cells["seeds"])
    start = time.perf_counter()
    merged = merge_simulations(paths, expect=expect, workers=workers)
    seconds = time.perf_counter() - start
    assert (merged.status == "ok").all()
    return seconds, len(paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=10_000, help="jobs of the grid (a multiple of 400)")
    parser.add_argument("--workers", type=int, help="processes reading files (default: usable cores)")
    args = parser.parse_args()
    cells = grid(args.jobs)
    print(f"machine: {len(os.sched_getaffinity(0))} cores, load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        seconds, jobs = dry_run_seconds(cells, Path(folder))
        print(f"dry-run of {jobs} simulate jobs: {seconds:.1f} s (goal < 30 s)")
    with tempfile.TemporaryDirectory() as folder:
        seconds, files = merge_seconds(cells, Path(folder), args.workers)
        print(f"merge of {files} per-job files: {seconds:.1f} s (goal < 60 s)")


if __name__ == "__main__":
    main()
