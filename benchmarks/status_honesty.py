"""Issue 14, item 11: does the status claim only what the data show? The rate model at g = 3,
σ_b = 0 is chaotic (at N ≤ 512 its λ_max ≈ 0.01 per unit time is within 3 standard errors of 0
after the default run length); over several seeds and N every run must be ``chaotic`` or
``undecided``, none ``limit_cycle`` or ``fixed_point``.

    .venv/bin/python -m benchmarks.status_honesty                       # 4 seeds x N = 256..2048
    .venv/bin/python -m benchmarks.status_honesty --N 64 128 --seeds 0 1 # a quick look

Prints one line per run (N, seed, status, λ_max ± stderr, wall time, load) and the load average
before and after; exit status 1 if any run is
labelled ``limit_cycle`` or ``fixed_point``. Run it on a quiet machine for timings.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from eoc.simulate import run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--N", type=int, nargs="+", default=[256, 512, 1024, 2048])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3])
    parser.add_argument("--g", type=float, default=3.0)
    args = parser.parse_args(argv)
    print(f"load average at start: {os.getloadavg()}", flush=True)
    wrong = 0
    started = time.monotonic()
    for N in args.N:
        for seed in args.seeds:
            t0 = time.monotonic()
            ds = run(model="rate", g=args.g, sigma_b=0.0, N=N, seed=seed, jacobian_max_N=0, progress=False)
            cell = ds.squeeze()
            status = str(cell["status"].item())
            wrong += status not in ("chaotic", "undecided")
            print(
                f"N={N:5d} seed={seed}: {status:12s} lambda_max={float(cell['lyapunov_max']):+.4f} "
                f"+- {float(cell['lyapunov_max_stderr']):.4f}  wall {time.monotonic() - t0:6.1f} s  "
                f"load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    print(
        f"{wrong} run(s) neither chaotic nor undecided; total {time.monotonic() - started:.0f} s; "
        f"load average at end: {os.getloadavg()}"
    )
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
