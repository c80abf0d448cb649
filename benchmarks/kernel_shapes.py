"""Which product is fastest for k′ columns: BLAS (GEMV/GEMM), the fused or the panel kernels of eoc.kernels.

Each entry is the fraction of the roofline bound reached by one product of m × n = 4N × N weights
with k′ columns: bytes = itemsize·(m·n + n·k′ + m·k′), flops = 2·m·n·k′. These numbers set
eoc.kernels.FUSED_MAX_COLUMNS and PANEL_MAX_COLUMNS (the docstring there records them).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from benchmarks.machine import Limits
from benchmarks.timing import threads, time_call
from eoc.kernels import product_method, rows_times_columns


def measure_kernel_shapes(
    limits: dict[tuple[str, int], Limits], *, n: int, column_counts, thread_count: int, repeats: int
) -> list[dict]:
    """Rows (dtype, k′, method, fraction of roofline) for the fused and panel kernels, BLAS and the dispatcher."""
    rows = []
    rng = np.random.default_rng(1)
    for dtype in ("float64", "float32"):
        weights = rng.standard_normal((4 * n, n)).astype(dtype)
        limit = limits[dtype, thread_count]
        for k in column_counts:
            columns = rng.standard_normal((n, k)).astype(dtype)
            out = np.empty((4 * n, k), dtype)
            itemsize = weights.itemsize
            bound = limit.roofline_seconds(
                bytes_moved=itemsize * (weights.size + columns.size + out.size), flops=2.0 * weights.size * k
            )
            fractions = {}
            for method in ("fused", "panels", "gemm"):
                with threads(thread_count):
                    timing = time_call(
                        partial(rows_times_columns, weights, columns, out, method=method), repeats=repeats
                    )
                fractions[method] = bound / timing.best
            rows.append(
                {
                    "dtype": dtype,
                    "threads": thread_count,
                    "N": n,
                    "columns": k,
                    "fused": fractions["fused"],
                    "panels": fractions["panels"],
                    "blas": fractions["gemm"],
                    "dispatcher": product_method(k, dtype),
                }
            )
    return rows
