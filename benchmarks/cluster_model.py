"""A model of the LSTM step time at N = 2^17 on 64–1024 MPI ranks, fed by this machine's measurements.

    .venv/bin/python -m benchmarks.cluster_model [benchmarks/results/<run>.json]

Per step each of P ranks multiplies its 4N/P × N row block by the 1 + k columns (memory bound) and
then takes part in one Allgatherv of the N × (1 + k) columns:

    t_step(P) = 4N²·s / (P · η · b_rank)  +  α·⌈log₂ P⌉  +  N·(1+k)·s / β

with s bytes per number, b_rank the read bandwidth of one rank when every core of the node reads,
η the fraction of the roofline the step reaches (measured here), α the latency of one message and
β the link bandwidth (an allgather moves about the whole columns through each rank's link, whether
by recursive doubling or by a ring). The Benettin QR every 10 steps (an Allreduce of a k × k matrix)
and the O(N(1+k)/P) element-wise work are left out: both are ≪ the terms above.

From a results file (default: the newest in benchmarks/results/) it takes η (the median over
N ≥ 4096 of the LSTM's fraction at k = 1, float64, capped at 1) and the per-rank bandwidth of two
ranks sharing this machine's memory; α, β and the cluster node's per-core bandwidth are
assumptions, printed with the table.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
from pathlib import Path

N = 2**17
K = 1
RANKS = (64, 128, 256, 512, 1024)
#: Assumed cluster: a 128-core 2-socket node with ~460 GB/s STREAM (3.6 GB/s per core when all cores
#: read), HDR InfiniBand (α = 2 µs per message, β = 20 GB/s per link).
NODE_CORE_BANDWIDTH, ALPHA, BETA = 3.6e9, 2e-6, 20e9


def step_seconds(ranks: int, *, n: int, k: int, itemsize: int, efficiency: float, rank_bandwidth: float) -> dict:
    """The three terms of t_step(P) (module docstring), in seconds."""
    compute = 4 * n**2 * itemsize / (ranks * efficiency * rank_bandwidth)
    latency = ALPHA * math.ceil(math.log2(ranks))
    volume = n * (1 + k) * itemsize / BETA
    return {"compute": compute, "latency": latency, "volume": volume, "total": compute + latency + volume}


def measured(path: Path) -> tuple[float, float]:
    """(η, per-rank bandwidth with both cores reading) from a benchmarks.run results file."""
    raw = json.loads(path.read_text())
    lstm = [
        s["fraction"]
        for s in raw["engine"]
        if s["model"] == "lstm" and s["k"] == K and s["dtype"] == "float64" and s["n"] >= 4096
    ]
    efficiency = min(1.0, statistics.median(lstm))
    shared = next(row for row in raw["limits"] if row[0] == "float64" and row[1] == 2)
    return efficiency, shared[3] * 1e9 / 2


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    results = Path(__file__).parent / "results"
    path = Path(argv[0]) if argv else max(results.glob("*.json"), key=lambda p: p.stat().st_mtime)
    efficiency, here = measured(path)
    print(f"from {path}: η = {efficiency:.2f}, per-rank bandwidth here (2 ranks) = {here / 1e9:.1f} GB/s")
    print(
        f"assumed: cluster per-core bandwidth {NODE_CORE_BANDWIDTH / 1e9} GB/s, α = {ALPHA * 1e6} µs, "
        f"β = {BETA / 1e9} GB/s; N = 2^17, k = {K}\n"
    )
    print(
        "| dtype | ranks | weights per rank GiB | compute ms | latency ms | volume ms | step ms "
        "| efficiency vs 64 ranks |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for dtype, itemsize in (("float64", 8), ("float32", 4)):
        base = None
        for ranks in RANKS:
            t = step_seconds(
                ranks, n=N, k=K, itemsize=itemsize, efficiency=efficiency, rank_bandwidth=NODE_CORE_BANDWIDTH
            )
            base = base or (ranks, t["total"])
            scaling = base[1] * base[0] / (t["total"] * ranks)
            print(
                f"| {dtype} | {ranks} | {4 * N**2 * itemsize / ranks / 2**30:.2f} | {t['compute'] * 1e3:.1f} | "
                f"{t['latency'] * 1e3:.3f} | {t['volume'] * 1e3:.3f} | {t['total'] * 1e3:.1f} | {scaling:.2f} |"
            )


if __name__ == "__main__":
    main()
