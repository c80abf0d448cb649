"""The measured λ_max = 0 line of the full LSTM in (g, σ_b), for zero bias means and μ_f = +1, by
one command (issue 12):

    python benchmarks/lstm_boundary.py OUTDIR [--N 64 128 256] [--seeds 0 1 2]

Runs `eoc simulate --model lstm` per (bias means, N, seed) over the (g, σ_b) grid into OUTDIR, then
per (μ, σ_b, N) finds the gain g*_N where the seed-mean λ_max crosses 0 (linear interpolation
between the bracketing grid gains; its error from the seeds' standard errors propagated through
the interpolation), fits g*_N = g*_∞ + a/N by weighted least squares and prints g*_∞ ± error
beside the linear criterion g_c (eoc.meanfield.lstm_fixed_point) and the largest gate spread.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import xarray as xr

from eoc.meanfield.lstm_fixed_point import FixedPointTheory

G = [0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 2.75, 3.0, 3.5, 4.0, 5.0]
SIGMA_B = [0.0, 0.25, 0.5, 1.0]
MEANS = {"zero": {}, "forget1": {"f": 1.0}}


def simulate(outdir: Path, label: str, means: dict, n: int, seed: int, steps: int, transient: int) -> Path:
    path = outdir / f"{label}_N{n}_seed{seed}.nc"
    if path.exists():
        return path
    command = [
        sys.executable,
        "-m",
        "eoc",
        "simulate",
        "--model",
        "lstm",
        "--N",
        str(n),
        "--seed",
        str(seed),
        "--g",
        *map(str, G),
        "--sigma-b",
        *map(str, SIGMA_B),
        "--steps",
        str(steps),
        "--transient",
        str(transient),
        "--k",
        "1",
        "--jacobian-max-N",
        "0",
        "--threads",
        "1",
        "--out",
        str(path),
    ]
    command += [f"--bias-mean={gate}={value}" for gate, value in means.items()]
    start = time.time()
    subprocess.run(command, check=True)
    print(f"{path.name}: {time.time() - start:.0f} s, load {os.getloadavg()[0]:.1f}", flush=True)
    return path


def crossing(g: np.ndarray, lam: np.ndarray, err: np.ndarray) -> tuple[float, float]:
    """First upward zero crossing of λ(g) by linear interpolation, and its propagated error."""
    for k in range(len(g) - 1):
        if lam[k] < 0 <= lam[k + 1]:
            t = -lam[k] / (lam[k + 1] - lam[k])
            slope = (lam[k + 1] - lam[k]) / (g[k + 1] - g[k])
            sigma = np.hypot((1 - t) * err[k], t * err[k + 1]) / slope
            return g[k] + t * (g[k + 1] - g[k]), float(sigma)
    return np.nan, np.nan


def extrapolate(ns, values, errors) -> tuple[float, float]:
    """Weighted least squares g*_N = g*_∞ + a/N; error of the intercept (at least the scatter)."""
    ok = np.isfinite(values) & np.isfinite(errors)
    if ok.sum() < 2:
        return np.nan, np.nan
    x, y, w = 1.0 / np.asarray(ns)[ok], np.asarray(values)[ok], 1.0 / np.maximum(np.asarray(errors)[ok], 1e-3) ** 2
    A = np.stack([np.ones_like(x), x], axis=1)
    cov = np.linalg.inv(A.T @ (w[:, None] * A))
    coef = cov @ A.T @ (w * y)
    return float(coef[0]), float(np.sqrt(cov[0, 0]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--N", type=int, nargs="+", default=[64, 128, 256])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--transient", type=int, default=1000)
    args = parser.parse_args()
    args.outdir.mkdir(parents=True, exist_ok=True)
    for label, means in MEANS.items():
        for n in args.N:
            for seed in args.seeds:
                simulate(args.outdir, label, means, n, seed, args.steps, args.transient)
    print("means    sigma_b  g_c(linear)  " + "  ".join(f"g*(N={n})" for n in args.N) + "  g*(N=inf)  max gate_std")
    for label, means in MEANS.items():
        theory = FixedPointTheory(means)
        for sb in SIGMA_B:
            values, errors, spreads = [], [], []
            for n in args.N:
                runs = [xr.open_dataset(args.outdir / f"{label}_N{n}_seed{s}.nc").squeeze() for s in args.seeds]
                lam = np.stack([r.lyapunov_max.sel(sigma_b=sb).values for r in runs])
                spreads.append(max(float(r.gate_std.sel(sigma_b=sb).max()) for r in runs))
                mean = lam.mean(axis=0)
                err = lam.std(axis=0, ddof=1) / np.sqrt(len(runs)) if len(runs) > 1 else np.zeros_like(mean)
                value, error = crossing(np.array(G), mean, err)
                values.append(value)
                errors.append(error)
            g_inf, g_err = extrapolate(args.N, values, errors)
            g_c = float(theory.critical_gain(sb))
            cells = "  ".join(f"{v:.3f}±{e:.3f}" for v, e in zip(values, errors, strict=False))
            print(f"{label:8s} {sb:5.2f}    {g_c:.3f}       {cells}  {g_inf:.3f}±{g_err:.3f}  {max(spreads):.3f}")


if __name__ == "__main__":
    main()
