"""The forecasting sweep of issue 12, rerunnable by one command:

    python benchmarks/forecast_sweep.py OUTDIR [--N 200] [--seeds 0 1 2] [--input-gain 1]

Runs `eoc.forecast.job` for Lorenz-63 and Mackey-Glass over a (g, sigma_b) grid (zero bias means),
writes one netCDF per (system, seed) into OUTDIR, merges them into OUTDIR/forecast.nc and prints,
per system and sigma_b, the g of the lowest mean NRMSE (one-step and free-run) with the seed
spread, beside the linear criterion's g_c (eoc.meanfield.lstm_fixed_point).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import xarray as xr

from eoc import io
from eoc.forecast.job import ForecastOptions, run
from eoc.meanfield.lstm_fixed_point import FixedPointTheory

G = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0]
SIGMA_B = [0.0, 0.5, 1.0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--N", type=int, default=200)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--train", type=int, default=2000)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--input-gain", type=float, default=1.0)
    args = parser.parse_args()
    args.outdir.mkdir(parents=True, exist_ok=True)
    files = []
    for system in ("lorenz63", "mackey_glass"):
        for seed in args.seeds:
            path = args.outdir / f"{system}_N{args.N}_seed{seed}_in{args.input_gain:g}.nc"
            if not path.exists():
                start = time.time()
                options = ForecastOptions.checked(
                    system=system,
                    g=G,
                    sigma_b=SIGMA_B,
                    N=args.N,
                    seed=seed,
                    input_gain=args.input_gain,
                    washout=500,
                    train=args.train,
                    test=args.test,
                    horizon=50,
                    starts=20,
                )
                io.write_dataset(run(options), path)
                print(f"{path.name}: {time.time() - start:.0f} s, load {os.getloadavg()[0]:.1f}", flush=True)
            files.append(path)
    merged = xr.combine_by_coords(
        [xr.open_dataset(f).expand_dims(["system", "seed"]) for f in files], combine_attrs="drop_conflicts"
    )
    io.write_dataset(merged, args.outdir / "forecast.nc")
    g_c = dict(zip(SIGMA_B, FixedPointTheory().critical_gain(np.array(SIGMA_B)), strict=False))
    print("system        sigma_b  g_c    quantity   g_opt  NRMSE(mean±sd over seeds) per g")
    for system in merged.system.values:
        for sb in SIGMA_B:
            for quantity in ("nrmse_one_step", "nrmse_free_run"):
                values = merged[quantity].sel(system=system, sigma_b=sb)
                mean, sd = values.mean("seed"), values.std("seed")
                best = float(mean.g[int(np.argmin(mean.values))])
                row = " ".join(f"{m:.3g}±{s:.1g}" for m, s in zip(mean.values, sd.values, strict=False))
                print(f"{system:13s} {sb:5.2f}  {g_c[sb]:.3f}  {quantity[6:]:9s}  {best:4.2f}   {row}")


if __name__ == "__main__":
    main()
