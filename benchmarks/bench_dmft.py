"""Speed of the DMFT solver: the vectorised grid part and the per-point curves (prints a table).

    .venv/bin/python benchmarks/bench_dmft.py [--size 64] [--curves 16]

Part 1 times everything but C(τ) and λ_max (static solution, stability, chaotic C0 and C∞, λ²,
λ²_fact, g_c, f_g) on a size × size grid g ∈ [0.5, 5], σ_b ∈ [0, 1], one process.
Part 2 times C(τ) plus the Schrödinger problem per chaotic point on a sample of points.
Target: part 1 < 10 s at 64 × 64 on one core; part 2 < 1 s per point. The machine may be shared:
the load average is printed with the table.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from eoc.meanfield.rate import Options
from eoc.meanfield.rate.chaotic import chaotic_solution, decay_rate_squared, decay_rate_squared_factorized
from eoc.meanfield.rate.curve import correlation_curve
from eoc.meanfield.rate.lyapunov import lyapunov_chaotic
from eoc.meanfield.rate.static import fixed_point_boundary, stability_parameter, static_map, static_variance


def grid_part(g, sigma_b, options: Options) -> tuple[dict, dict]:
    """Run the vectorised part once; returns (timings in s, results)."""
    gauss = {"nodes": options.nodes, "inner_nodes": options.inner_nodes}
    G, S = (a.ravel() for a in np.meshgrid(g, sigma_b, indexing="ij"))
    times = {}
    start = time.perf_counter()
    C0s, _ = static_variance(G, S, nodes=options.nodes)
    chaotic = (stability_parameter(G, C0s, nodes=options.nodes) > 1) & (C0s > 0)
    times["static C0 + stability"] = time.perf_counter() - start

    start = time.perf_counter()
    C0, C_inf = C0s.copy(), C0s.copy()
    C0[chaotic], C_inf[chaotic], _ = chaotic_solution(G[chaotic], S[chaotic], C0s[chaotic], **gauss)
    times[f"chaotic C0, C_inf ({chaotic.sum()} points)"] = time.perf_counter() - start

    start = time.perf_counter()
    lambda2 = decay_rate_squared(G, np.nan_to_num(C_inf), np.nan_to_num(C0), **gauss)
    decay_rate_squared_factorized(G, np.nan_to_num(C0), nodes=options.nodes)
    times["lambda2, lambda2_factorized"] = time.perf_counter() - start

    start = time.perf_counter()
    fixed_point_boundary(sigma_b, nodes=options.nodes)
    trial = np.linspace(0, options.c0_trial_max, options.c0_trial_count)
    static_map(trial, G[:, None], S[:, None], nodes=options.nodes)
    times["g_c, f_g"] = time.perf_counter() - start
    return times, {"G": G, "S": S, "C0": C0, "C_inf": C_inf, "lambda2": lambda2, "chaotic": chaotic}


def curve_part(results: dict, count: int, options: Options) -> list[float]:
    """Seconds per chaotic point for C(τ) + λ_max, on ``count`` points spread over the chaotic set."""
    points = np.flatnonzero(results["chaotic"] & np.isfinite(results["C0"]))
    sample = points[np.linspace(0, points.size - 1, min(count, points.size)).astype(int)]
    seconds = []
    for i in sample:
        start = time.perf_counter()
        box = max(options.min_box, options.box_decay_lengths / np.sqrt(results["lambda2"][i]))
        curve = correlation_curve(
            results["G"][i],
            results["S"][i],
            results["C0"][i],
            results["C_inf"][i],
            tau_extent=box,
            nodes=options.nodes,
            inner_nodes=options.inner_nodes,
            degree=options.chebyshev_degree,
        )
        curve(options.tau_step * np.arange(int(options.tau_max / options.tau_step) + 1))
        lyapunov_chaotic(curve, box=box, step=box / options.box_points)
        seconds.append(time.perf_counter() - start)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--curves", type=int, default=16)
    args = parser.parse_args()
    options = Options()
    g = np.linspace(0.5, 5.0, args.size)
    sigma_b = np.linspace(0.0, 1.0, args.size)
    print(f"load average before: {os.getloadavg()}, options: nodes={options.nodes}, inner_nodes={options.inner_nodes}")
    cpu = time.process_time()
    times, results = grid_part(g, sigma_b, options)
    cpu = time.process_time() - cpu
    print(f"\n{'part':48s} {'seconds':>9s}")
    for name, seconds in times.items():
        print(f"{name:48s} {seconds:9.3f}")
    print(f"{f'total grid part ({args.size} x {args.size})':48s} {sum(times.values()):9.3f}   (target < 10)")
    print(f"{'  of which CPU time of this process':48s} {cpu:9.3f}")
    seconds = curve_part(results, args.curves, options)
    print(
        f"{f'C(tau) + lambda_max per point ({len(seconds)} points)':48s} "
        f"{np.mean(seconds):9.3f}   (max {np.max(seconds):.3f}; target < 1)"
    )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
