"""The sweep, not only the step: a whole small Snakemake sweep against the roofline of its cells,
the start-up cost of one `eoc simulate` process, and the MPI step with threads chosen by the program.

    .venv/bin/python -m benchmarks.sweep                  # all three parts (~5 min on 2 cores)
    .venv/bin/python -m benchmarks.sweep --parts startup  # only the start-up measurement
    .venv/bin/python -m benchmarks.sweep --config config/test.yaml --parts sweep

* ``sweep``: ``snakemake --profile profiles/local`` on the grid of ``--config`` (default: the
  default grid, config/config.yaml) in a fresh folder. Prints the wall time and core-seconds
  (wall × cores) against Σ over simulate jobs of (transient + steps) × the roofline time of one
  step of that job (all points and networks of its batch; :func:`benchmarks.engine_steps.roofline_seconds` with
  the machine's bandwidth and GEMM peak measured here with all cores): the *sweep efficiency*
  Σ roofline / wall is the fraction of the machine the sweep turns into simulation at the bound.
  Also the simulate jobs' own wall times (the ``wall_time`` of their files) summed.
* ``startup``: ``eoc simulate --model lstm --N 1000`` run as a fresh process with 300 and with
  1300 measured steps (default transient, 1000 steps): per step = the difference / 1000, start-up =
  the 300-step run's wall time − its 1300 steps; the weight draw (``Disorder.draw``) is timed on
  its own and reported beside it. Best of ``--repeats``.
* ``mpi``: the LSTM at N = 2048 on 1 and 2 ranks (``mpiexec -n P python -m mpi4py -m eoc
  simulate``), no thread variable set: per-step time from 1200 − 200 measured steps (transient 0).

Results: ``benchmarks/results/<date>-<host>-sweep.{md,json}``, with the load average at start and
end. On a shared machine the numbers are not to be trusted; rerun on a quiet one.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import xarray as xr
import yaml

from benchmarks.engine_steps import roofline_seconds
from benchmarks.machine import measure_limits
from eoc.cli.simulate import command
from eoc.simulate import Options

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results"
BIN = Path(sys.executable).parent
PARTS = ("startup", "mpi", "sweep")
#: Thread and spin variables removed from the child processes: the program must choose them itself.
HAND_SET = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
    "OPENBLAS_THREAD_TIMEOUT",
)


def environment() -> dict:
    """This environment without thread variables, with .venv/bin first (eoc, mpiexec, snakemake)."""
    env = {k: v for k, v in os.environ.items() if k not in HAND_SET}
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"
    return env


def timed(command: list[str], **kwargs) -> float:
    """Wall seconds of a child process (which must succeed)."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=environment(), **kwargs)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return seconds


def simulate_command(*, N: int, steps: int, transient: int | None, out: Path, ranks: int = 1) -> list[str]:
    """`eoc simulate` of the LSTM at g = 3, σ_b = 0 (transient None: the model's default)."""
    options = Options(model="lstm", g=[3.0], sigma_b=[0.0], N=N, seed=[0], steps=steps, transient=transient)
    return command(options, out=out, ranks=ranks, mpiexec=BIN / "mpiexec")


def startup(folder: Path, repeats: int) -> dict:
    """Start-up of `eoc simulate --model lstm --N 1000 --steps 300` (module docstring)."""
    from eoc.simulate.disorder import Disorder

    short = min(timed(simulate_command(N=1000, steps=300, transient=None, out=folder / "s.nc")) for _ in range(repeats))
    long = min(timed(simulate_command(N=1000, steps=1300, transient=None, out=folder / "l.nc")) for _ in range(repeats))
    per_step = (long - short) / 1000
    draw = []
    for _ in range(repeats):
        start = time.perf_counter()
        Disorder.draw(n=1000, seed=0, gates=4, units=slice(0, 1000))
        draw.append(time.perf_counter() - start)
    return {
        "N": 1000,
        "steps": 300,
        "transient": 1000,
        "total_seconds": short,
        "seconds_per_step": per_step,
        "startup_seconds": short - 1300 * per_step,
        "weight_draw_seconds": min(draw),
        "startup_without_draw_seconds": short - 1300 * per_step - min(draw),
    }


def mpi(folder: Path, repeats: int, N: int = 2048) -> dict:
    """Per-step time of the LSTM at N on 1 and 2 ranks, no thread variable set by hand."""
    rows = {}
    for ranks in (1, 2):

        def run(steps, ranks=ranks):
            command = simulate_command(N=N, steps=steps, transient=0, out=folder / f"mpi{ranks}.nc", ranks=ranks)
            return min(timed(command) for _ in range(repeats))

        short, long = run(200), run(1200)
        with xr.open_dataset(folder / f"mpi{ranks}.nc") as ds:
            chosen = {key: ds.attrs.get(key) for key in ("numba_threads", "blas_threads", "threads_chosen_from")}
        rows[ranks] = {"seconds_per_step": (long - short) / 1000, **chosen}
    return {"N": N, "ranks": rows, "ratio_2_to_1": rows[2]["seconds_per_step"] / rows[1]["seconds_per_step"]}


def sweep(folder: Path, config_path: Path) -> dict:
    """Run the sweep of ``config_path`` with the local profile in ``folder``; compare with the roofline."""
    config = yaml.safe_load(config_path.read_text())
    (folder / "config.yaml").write_text(yaml.safe_dump(config))
    cores = len(os.sched_getaffinity(0))
    wall = timed(
        [
            str(BIN / "snakemake"),
            "-s",
            str(REPO / "Snakefile"),
            "-d",
            str(folder),
            "--profile",
            str(REPO / "profiles" / "local"),
            "--configfile",
            str(folder / "config.yaml"),
            "--cores",
            str(cores),
        ],
        cwd=folder,
    )
    limits = measure_limits(thread_counts=(cores,), megabytes=256, gemm_size=1024, repeats=3)["float64", cores]
    jobs = []
    for path in sorted((folder / "results" / "sim").rglob("*.nc")):
        with xr.open_dataset(path) as ds:
            run = json.loads(ds.attrs["config"])
            points = ds.sizes["g"] * ds.sizes["sigma_b"]
            networks = ds.sizes["seed"]  # a job steps the networks of its seeds, each its own weights
            steps = run["steps"] + run["transient"]
            bound = (
                steps
                * networks
                * roofline_seconds(
                    run["model"],
                    n=run["N"],
                    k=run["k"],
                    points=points,
                    limits=limits,
                    itemsize=np.dtype(run["dtype"]).itemsize,
                )
            )
            jobs.append(
                {
                    "file": str(path.relative_to(folder)),
                    "model": run["model"],
                    "N": run["N"],
                    "points": points,
                    "networks": networks,
                    "steps": steps,
                    "wall_seconds": float(ds["wall_time"].max()),
                    "ranks": int(ds.attrs["mpi_size"]),
                    "roofline_seconds": bound,
                }
            )
    roofline = sum(job["roofline_seconds"] for job in jobs)
    job_core_seconds = sum(job["wall_seconds"] * job["ranks"] for job in jobs)
    return {
        "config": str(config_path),
        "cores": cores,
        "wall_seconds": wall,
        "core_seconds": wall * cores,
        "simulate_jobs": len(jobs),
        "simulate_job_core_seconds": job_core_seconds,
        "roofline_seconds": roofline,
        "sweep_efficiency": roofline / wall,
        "bandwidth_GB_per_s": limits.bandwidth / 1e9,
        "gemm_peak_GFLOP_per_s": limits.gemm_peak / 1e9,
        "jobs": jobs,
    }


def report(results: dict) -> str:
    lines = [
        f"# Sweep benchmark, {results['utc']} on {results['host']}",
        f"load average at start {results['load_start']}, at end {results['load_end']} "
        "(2-core machine: above ~1 the numbers are not to be trusted)",
    ]
    if "startup" in results:
        s = results["startup"]
        lines += [
            "",
            "## Start-up of `eoc simulate --model lstm --N 1000 --steps 300` (transient 1000)",
            "",
            "| total s | per step ms | start-up s | weight draw s | start-up − draw s |",
            "|---|---|---|---|---|",
            f"| {s['total_seconds']:.2f} | {1e3 * s['seconds_per_step']:.3f} | {s['startup_seconds']:.2f} | "
            f"{s['weight_draw_seconds']:.2f} | {s['startup_without_draw_seconds']:.2f} |",
        ]
    if "mpi" in results:
        m = results["mpi"]
        lines += [
            "",
            f"## LSTM N = {m['N']} per step, threads chosen by the program",
            "",
            "| ranks | ms per step | numba threads | BLAS threads | chosen from |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {r} | {1e3 * row['seconds_per_step']:.2f} | {row['numba_threads']} | {row['blas_threads']} | "
            f"{row['threads_chosen_from']} |"
            for r, row in m["ranks"].items()
        ]
        lines += ["", f"2 ranks / 1 rank: {m['ratio_2_to_1']:.3f}"]
    if "sweep" in results:
        w = results["sweep"]
        lines += [
            "",
            f"## Sweep of {w['config']} ({w['simulate_jobs']} simulate jobs, {w['cores']} cores)",
            "",
            "| wall s | core-s | Σ simulate-job core-s | Σ roofline s | sweep efficiency |",
            "|---|---|---|---|---|",
            f"| {w['wall_seconds']:.1f} | {w['core_seconds']:.1f} | {w['simulate_job_core_seconds']:.1f} | "
            f"{w['roofline_seconds']:.3g} | {w['sweep_efficiency']:.3g} |",
            "",
            f"bandwidth {w['bandwidth_GB_per_s']:.1f} GB/s, GEMM peak {w['gemm_peak_GFLOP_per_s']:.0f} GFLOP/s "
            f"({w['cores']} threads, float64)",
        ]
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--config", type=Path, default=REPO / "config" / "config.yaml", help="grid of the sweep")
    parser.add_argument("--repeats", type=int, default=2, help="runs per start-up and MPI timing (best taken)")
    args = parser.parse_args(argv)
    now = datetime.datetime.now(datetime.UTC)
    results = {"utc": f"{now:%Y-%m-%d %H:%M}", "host": socket.gethostname(), "load_start": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="eoc-sweep-bench-") as scratch:
        folder = Path(scratch)
        if "startup" in args.parts:
            results["startup"] = startup(folder, args.repeats)
        if "mpi" in args.parts:
            results["mpi"] = mpi(folder, args.repeats)
        if "sweep" in args.parts:
            (folder / "sweep").mkdir()
            results["sweep"] = sweep(folder / "sweep", args.config.resolve())
    results["load_end"] = os.getloadavg()
    text = report(results)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    stamp = f"{now:%Y%m%d-%H%M}-{results['host']}-sweep"
    (RESULTS / f"{stamp}.md").write_text(text)
    (RESULTS / f"{stamp}.json").write_text(json.dumps(results, indent=1, default=str) + "\n")
    print(f"written to {RESULTS / stamp}.md/.json")


if __name__ == "__main__":
    main()
