"""Full-LSTM simulations at several N, extrapolated N → ∞: the oracle of the LSTM mean-field theory.

    PYTHONPATH=src .venv/bin/python -m benchmarks.lstm_finite_size [--work /tmp/lstm-fss] [--fit-only]

Runs ``eoc simulate --model lstm`` (one process at a time, niced, one thread each) at
g ∈ {2.5, 3, 4} (one batched job per network), σ_b = 0, for N ∈ {500, 1000, 2000, 4000} with
8, 6, 4, 2 seeds, 3000 measured steps after 500 steps of transient, float32 (the same networks as
float64; the precision of λ_max, C0 and the gate spread is far below their seed-to-seed spread).
Jobs whose file exists in ``--work`` are not rerun, so an interrupted run resumes. Total cost
about 20–25 min of one core.

Then, per g and observable (λ_max, C0 = ⟨h²⟩, the spread of the gates f, i, o pooled into one
number, since the three are equal in law at μ_f = μ_i = μ_o = 0), the mean over seeds at each N
with its standard error (the seed-to-seed scatter; for λ_max at least the block-average error of
one run / √seeds) and a weighted least-squares fit y(N) = y_∞ + a/N. The error of y_∞ is the fit's
standard error, inflated by √(χ²/dof) when χ²/dof > 1. Results go to
``benchmarks/results/<date>-lstm-finite-size.{json,md}`` with the load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import xarray as xr

G = (2.5, 3.0, 4.0)
SEEDS = {500: 8, 1000: 6, 2000: 4, 4000: 2}
STEPS, TRANSIENT, N_LAGS = 3000, 500, 50
OBSERVABLES = ("lyapunov_max", "C0", "gate_std")
RESULTS = Path(__file__).resolve().parent / "results"


def job_file(work: Path, n: int, seed: int) -> Path:
    return work / f"lstm_N{n}_seed{seed}.nc"


def simulate(work: Path) -> None:
    """Run the missing jobs, seed rounds first so that an early stop leaves every N sampled."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}
    jobs = [(n, s) for s in range(max(SEEDS.values())) for n in sorted(SEEDS, reverse=True) if s < SEEDS[n]]
    for n, seed in jobs:
        out = job_file(work, n, seed)
        if out.exists():
            continue
        command = [
            "nice",
            "-n",
            "10",
            sys.executable,
            "-m",
            "eoc",
            "simulate",
            "--model",
            "lstm",
            "--g",
            *map(str, G),
            "--sigma-b",
            "0",
            "--N",
            str(n),
            "--seed",
            str(seed),
            "--steps",
            str(STEPS),
            "--transient",
            str(TRANSIENT),
            "--n-lags",
            str(N_LAGS),
            "--dtype",
            "float32",
            "--jacobian-max-N",
            "0",
            "--out",
            str(out),
        ]
        started = time.monotonic()
        subprocess.run(command, check=True, env=env)
        print(f"N={n} seed={seed}: {time.monotonic() - started:.0f} s (load {os.getloadavg()[0]:.2f})", flush=True)


def per_run(work: Path) -> dict[int, xr.Dataset]:
    """Each N's runs, concatenated over seed, as (g, seed) arrays of the observables."""
    out = {}
    for n in sorted(SEEDS):
        files = sorted(work.glob(f"lstm_N{n}_seed*.nc"))
        if not files:
            continue
        ds = xr.concat([xr.open_dataset(f).load() for f in files], dim="seed")
        ds = ds.isel(model=0, sigma_b=0, N=0)
        ds["gate_std"] = ds["gate_std"].mean("gate")  # f, i, o are equal in law: pool them
        out[n] = ds
    return out


def extrapolate(n: np.ndarray, y: np.ndarray, err: np.ndarray) -> tuple[float, float, float, float]:
    """Weighted fit y = y_∞ + a/N; returns (y_∞, its error, a, χ²/dof)."""
    design = np.stack([np.ones_like(n), 1.0 / n], axis=1)
    w = 1.0 / err**2
    cov = np.linalg.inv(design.T @ (design * w[:, None]))
    coef = cov @ design.T @ (w * y)
    dof = max(n.size - 2, 1)
    chi2 = float(((y - design @ coef) ** 2 * w).sum() / dof)
    scale = max(chi2, 1.0)
    return float(coef[0]), float(np.sqrt(cov[0, 0] * scale)), float(coef[1]), chi2


def summarise(runs: dict[int, xr.Dataset]) -> dict:
    """Per-N means and errors and the extrapolation, per g and observable."""
    summary = {}
    for g in G:
        entry = {}
        for name in OBSERVABLES:
            ns, means, errs, counts = [], [], [], []
            for n, ds in runs.items():
                values = ds[name].sel(g=g).values
                values = values[np.isfinite(values)]
                if values.size < 2:
                    continue
                err = values.std(ddof=1) / np.sqrt(values.size)
                if name == "lyapunov_max":
                    block = ds["lyapunov_max_stderr"].sel(g=g).values
                    err = max(err, np.nanmean(block) / np.sqrt(values.size))
                ns.append(n), means.append(values.mean()), errs.append(err), counts.append(values.size)
            if len(ns) < 3:
                continue
            y_inf, y_err, slope, chi2 = extrapolate(np.array(ns, float), np.array(means), np.array(errs))
            entry[name] = {
                "N": ns,
                "seeds": counts,
                "mean": means,
                "stderr": errs,
                "extrapolated": y_inf,
                "extrapolated_stderr": y_err,
                "slope_1_over_N": slope,
                "chi2_per_dof": chi2,
            }
        summary[str(g)] = entry
    return summary


def autocorrelation(runs: dict[int, xr.Dataset]) -> dict:
    """C_h(τ) of the largest N, mean over seeds, per g (for the theory-vs-simulation figure)."""
    n = max(runs)
    return {
        "N": n,
        "lag": runs[n]["lag"].values.tolist(),
        **{str(g): runs[n]["autocorr"].sel(g=g).mean("seed").values.tolist() for g in G},
    }


def write(summary: dict, acf: dict, seconds: float, loads: tuple) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")
    stem = RESULTS / f"{stamp}-lstm-finite-size"
    record = {
        "created_utc": stamp,
        "sigma_b": 0.0,
        "steps": STEPS,
        "transient": TRANSIENT,
        "dtype": "float32",
        "seeds": {str(k): v for k, v in SEEDS.items()},
        "simulation_seconds": seconds,
        "load_average_start_end": loads,
        "results": summary,
        "autocorr_largest_N": acf,
    }
    stem.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n")
    lines = [
        f"# Full-LSTM simulations extrapolated in 1/N ({stamp} UTC)",
        "",
        f"σ_b = 0, {STEPS} measured steps after {TRANSIENT}, float32; seeds per N: {SEEDS}.",
        f"Simulation time {seconds:.0f} s, load average {loads[0]:.2f} at start, {loads[1]:.2f} at end",
        "(rerun on a quiet machine for timings; the values do not depend on the load).",
        "",
        "| g | observable | " + " | ".join(f"N={n}" for n in sorted(SEEDS)) + " | N → ∞ (1/N fit) | χ²/dof |",
        "|---|---|" + "---|" * len(SEEDS) + "---|---|",
    ]
    for g, entry in summary.items():
        for name, r in entry.items():
            cells = {n: f"{m:.4f} ± {e:.4f}" for n, m, e in zip(r["N"], r["mean"], r["stderr"], strict=True)}
            row = " | ".join(cells.get(n, "–") for n in sorted(SEEDS))
            lines.append(
                f"| {g} | {name} | {row} | {r['extrapolated']:.4f} ± {r['extrapolated_stderr']:.4f} "
                f"| {r['chi2_per_dof']:.2f} |"
            )
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    return stem


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="/tmp/lstm-fss", help="folder of the per-job netCDF files")
    parser.add_argument("--fit-only", action="store_true", help="do not simulate; fit the files in --work")
    args = parser.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()[0]
    started = time.monotonic()
    if not args.fit_only:
        simulate(work)
    seconds = time.monotonic() - started
    runs = per_run(work)
    stem = write(summarise(runs), autocorrelation(runs), seconds, (load_start, os.getloadavg()[0]))
    print(stem.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
