"""The LSTM's measured λ_max = 0 boundary per (σ_b, μ_f) from a sweep's merged file, beside the
linear criterion and the mean-field onset (issue 12), by one command:

    python benchmarks/lstm_phase.py DIR [--run] [--out benchmarks/results]

DIR is the sweep's working directory (``make lstm-phase`` uses runs/lstm-phase). With ``--run`` the
sweep of config/lstm-phase.yaml is run there first (niced; the load average is sampled every 15 s
and the CPU time of the whole sweep, every child process included, is recorded). Then, from
DIR/results/merged/simulations.nc, per (σ_b, μ_f): g_c(N), the zero crossing in g of the seed-mean
λ_max at each N, and its weighted 1/N fit g_c(∞) ± error (:func:`eoc.analysis.critical_gain_limit`),
with the fit's χ²/dof (the error is scaled by max(1, √(χ²/dof))); the linear criterion
(:mod:`eoc.meanfield.lstm_fixed_point`, default quadrature); the mean field's onset g_c(σ_b) from
DIR/results/merged/dmft_lstm.nc (μ = 0); and the statuses of the cells between the linear criterion
and the measured onset at the largest N.
Writes ``<date>-lstm-phase.md`` and ``.json`` under ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def run_sweep(directory: Path) -> dict:
    """Run config/lstm-phase.yaml in ``directory`` (nice 10); CPU time, wall time, load averages."""
    command = [
        "nice",
        "-n",
        "10",
        str(Path(sys.executable).parent / "snakemake"),
        "-s",
        str(REPO / "Snakefile"),
        "-d",
        str(directory),
        "--profile",
        str(REPO / "profiles" / "local"),
        "--configfile",
        str(REPO / "config" / "lstm-phase.yaml"),
    ]
    loads, done = [], threading.Event()

    def sample():
        while not done.wait(15.0):
            loads.append(os.getloadavg()[0])

    sampler = threading.Thread(target=sample, daemon=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.time()
    loads.append(os.getloadavg()[0])
    sampler.start()
    try:
        subprocess.run(
            command, check=True, env=os.environ | {"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
        )
    finally:
        done.set()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "command": " ".join(command),
        "wall_s": round(time.time() - start, 1),
        "cpu_s": round(cpu, 1),
        "load_min": min(loads),
        "load_mean": round(float(np.mean(loads)), 2),
        "load_max": max(loads),
        "started_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime(start)),
    }


def summarise(directory: Path) -> dict:
    import eoc
    from eoc import analysis
    from eoc.meanfield.lstm_fixed_point import FixedPointTheory

    sims = eoc.open_simulations(directory / "results" / "merged" / "simulations.nc")
    lstm = sims.sel(model="lstm")
    lyapunov = analysis.usable(lstm.lyapunov_max, lstm.status)
    boundary = analysis.critical_gain_limit(lyapunov)
    mean_field = directory / "results" / "merged" / "dmft_lstm.nc"
    onset = eoc.open_dataset(mean_field)["g_c"] if mean_field.is_file() else None
    sizes = boundary["N"].values.astype(float)
    largest = int(sizes.max())
    rows = []
    for mu_f in boundary["mu_f"].values:
        theory = FixedPointTheory({"f": float(mu_f)} if mu_f else {})
        for sigma_b in boundary["sigma_b"].values:
            point = boundary.sel(mu_f=mu_f, sigma_b=sigma_b)
            linear = float(theory.critical_gain(float(sigma_b)))
            limit, error = float(point["g_c"]), float(point["g_c_stderr"])
            # what the networks do between the linear criterion and the measured onset (largest N)
            between = lstm.status.sel(mu_f=mu_f, sigma_b=sigma_b, N=largest)
            gains = between["g"].values
            window = (gains > linear) & (gains < float(point["g_c_N"].sel(N=largest)))
            statuses = Counter(between.values[window].ravel().tolist())
            rows.append(
                {
                    "mu_f": float(mu_f),
                    "sigma_b": float(sigma_b),
                    "g_c_linear": round(linear, 4),
                    "g_c_mean_field": None
                    if onset is None or sigma_b not in onset["sigma_b"].values or mu_f != 0
                    else round(float(onset.sel(sigma_b=sigma_b)), 4),
                    "g_c_N": {
                        int(n): [float(point["g_c_N"].sel(N=n)), float(point["g_c_N_stderr"].sel(N=n))] for n in sizes
                    },
                    "g_c_inf": limit,
                    "g_c_inf_stderr": error,
                    "chi2_per_dof": float(point["chi2_per_dof"]),
                    "deviation_in_errors": (limit - linear) / error if error > 0 else float("nan"),
                    f"statuses_between_at_N{largest}": dict(statuses),
                }
            )
    config = json.loads(str(sims.job_config.values[0]))
    return {
        "rows": rows,
        "sizes": [int(n) for n in sizes],
        "seeds": [int(s) for s in sims["seed"].values],
        "gains": [float(g) for g in sims["g"].values],
        "steps": config["steps"],
        "transient": config["transient"],
        "job_wall_s": sorted({round(float(w), 1) for w in lstm.wall_time.max("seed").values.ravel() if np.isfinite(w)}),
    }


def markdown(result: dict, sweep: dict | None, directory: Path) -> str:
    sizes = result["sizes"]
    lines = [
        "# The LSTM's measured λ_max = 0 boundary per (σ_b, μ_f) (issue 12)",
        "",
        f"`python benchmarks/lstm_phase.py {directory} --run` "
        f"(config/lstm-phase.yaml: g = {result['gains']}, N = {sizes}, seeds {result['seeds']}, "
        f"{result['steps']} measured steps after {result['transient']}).",
    ]
    if sweep:
        lines += [
            "",
            f"Sweep started {sweep['started_utc']} UTC: {sweep['wall_s']:.0f} s wall, {sweep['cpu_s']:.0f} s of CPU "
            f"(all processes), load average {sweep['load_min']:.1f}-{sweep['load_max']:.1f} "
            f"(mean {sweep['load_mean']:.1f}) on the shared 2-core VM: rerun on a quiet machine for timings; the "
            "physics numbers do not depend on the load.",
        ]
    lines += [
        f"Load average when tabulated: {os.getloadavg()[0]:.1f}. Per-job wall times (s): {result['job_wall_s']}.",
        "",
        "g_c(N): zero crossing of the seed-mean λ_max(g) (linear interpolation, error propagated from the seeds);"
        " N → ∞: weighted fit g_c(N) = g_c + a/N (eoc.analysis.critical_gain_limit; its error scaled by"
        " max(1, √(χ²/dof))). Δ = (g_c(∞) − linear)/error."
        f" Last column: statuses of the cells with linear < g < g_c(N = {sizes[-1]}) at N = {sizes[-1]}.",
        "",
        "| μ_f | σ_b | linear | mean field | "
        + " | ".join(f"g_c(N={n})" for n in sizes)
        + " | g_c(N→∞) | χ²/dof | Δ | between |",
        "|---|---|---|---|" + "---|" * len(sizes) + "---|---|---|---|",
    ]
    for row in result["rows"]:
        cells = [f"{v:.3f} ± {e:.3f}" if np.isfinite(v) else "–" for v, e in row["g_c_N"].values()]
        mean_field = "–" if row["g_c_mean_field"] is None else f"{row['g_c_mean_field']:.3f}"
        between = ", ".join(f"{k} {v}" for k, v in row[f"statuses_between_at_N{sizes[-1]}"].items()) or "–"
        limit = f"{row['g_c_inf']:.3f} ± {row['g_c_inf_stderr']:.3f}" if np.isfinite(row["g_c_inf"]) else "–"
        lines.append(
            f"| {row['mu_f']:g} | {row['sigma_b']:g} | {row['g_c_linear']:.3f} | {mean_field} | "
            + " | ".join(cells)
            + f" | {limit} | {row['chi2_per_dof']:.1f} | {row['deviation_in_errors']:+.1f} | {between} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path, help="the sweep's working directory")
    parser.add_argument("--run", action="store_true", help="run config/lstm-phase.yaml there first")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()
    record = args.directory / "sweep.json"  # the run's CPU time and load, kept for a later tabulation
    if args.run:
        sweep = run_sweep(args.directory)
        record.write_text(json.dumps(sweep, indent=1) + "\n")
    else:
        sweep = json.loads(record.read_text()) if record.is_file() else None
    result = summarise(args.directory)
    stamp = time.strftime("%Y%m%d-%H%M", time.gmtime())
    args.out.mkdir(parents=True, exist_ok=True)
    text = markdown(result, sweep, args.directory)
    (args.out / f"{stamp}-lstm-phase.md").write_text(text)
    (args.out / f"{stamp}-lstm-phase.json").write_text(json.dumps({"sweep": sweep, **result}, indent=1) + "\n")
    print(text)


if __name__ == "__main__":
    main()
