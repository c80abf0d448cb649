"""Peak resident memory of one run, as a multiple of its recurrent weights (run it in a fresh process).

    .venv/bin/python -m benchmarks.peak_memory engine --N 16384 --dtype float64
    .venv/bin/python -m benchmarks.peak_memory torch --N 8192 --dtype float32

``engine``: a short ``eoc.simulate.run`` of the LSTM (20 steps, k = 1), weights drawn by the engine.
``torch``: ``torch.nn.LSTM`` (input size 1) over 20 zero inputs. Prints one JSON line with the peak
RSS (``getrusage``, which includes the interpreter and libraries), the RSS after the imports, the
weight bytes 4N²·s and the ratio peak / weights; the target for the engine is a ratio ≤ 1.15.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np


# Each code imports only its own libraries, so that neither's RSS counts against the other.
def _engine(n: int, dtype: str) -> None:
    from eoc.simulate import run

    run(
        model="lstm",
        g=3.0,
        sigma_b=0.0,
        N=n,
        seed=1,
        steps=20,
        transient=0,
        k=1,
        dtype=dtype,
        n_lags=2,
        renorm_interval=10,
        progress=False,
    )


def _torch(n: int, dtype: str) -> None:
    import torch

    lstm = torch.nn.LSTM(input_size=1, hidden_size=n).to(getattr(torch, dtype))
    with torch.inference_mode():
        lstm(torch.zeros(20, 1, 1, dtype=getattr(torch, dtype)))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("code", choices=("engine", "torch"))
    parser.add_argument("--N", type=int, required=True)
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    args = parser.parse_args(argv)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    start = time.perf_counter()
    (_engine if args.code == "engine" else _torch)(args.N, args.dtype)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    weights = 4 * args.N**2 * np.dtype(args.dtype).itemsize
    print(
        json.dumps(
            {
                "code": args.code,
                "N": args.N,
                "dtype": args.dtype,
                "peak_rss_bytes": peak,
                "rss_after_imports_bytes": baseline,
                "weights_bytes": weights,
                "ratio": peak / weights,
                "seconds": time.perf_counter() - start,
            }
        )
    )


if __name__ == "__main__":
    main()
