"""The machine's limits: read bandwidth (STREAM-like) and GEMM peak, plus its description.

Roofline bound of a product that moves B bytes and does F flops: max(B / bandwidth, F / peak).
Both limits are measured in the same run as the code they judge, with the same thread count.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
from dataclasses import dataclass

import numba
import numpy as np
from threadpoolctl import threadpool_info

from benchmarks.timing import threads, time_call


@numba.njit(parallel=True, fastmath=True, cache=True)
def read_sum(matrix):  # pragma: no cover - compiled
    """Σ of all entries, four rows per block (four load streams per thread): a pure read of memory."""
    m, n = matrix.shape
    total = 0.0
    for block in numba.prange(m // 4):
        i = 4 * block
        r0, r1, r2, r3 = matrix[i], matrix[i + 1], matrix[i + 2], matrix[i + 3]
        a = matrix.dtype.type(0)
        for j in range(n):
            a += (r0[j] + r1[j]) + (r2[j] + r3[j])
        total += a
    return total


@dataclass(frozen=True)
class Limits:
    """Measured limits for one dtype and thread count: bytes/s read from memory, flop/s of GEMM."""

    dtype: str
    threads: int
    bandwidth: float
    gemm_peak: float
    read_own_dtype: float

    def roofline_seconds(self, *, bytes_moved: float, flops: float) -> float:
        """Lower bound on the time of a kernel: max(bytes / bandwidth, flops / GEMM peak)."""
        return max(bytes_moved / self.bandwidth, flops / self.gemm_peak)


def read_bandwidth(dtype, *, thread_count: int, megabytes: int, repeats: int) -> float:
    """Bytes/s of a parallel sum over a (rows × 4096) matrix of ``megabytes`` MiB (≫ the 32 MiB L3)."""
    itemsize = np.dtype(dtype).itemsize
    matrix = np.ones((megabytes * 2**20 // (4096 * itemsize), 4096), dtype=dtype)
    read_sum(matrix[:8])
    with threads(thread_count):
        timing = time_call(lambda: read_sum(matrix), repeats=repeats)
    return matrix.nbytes / timing.best


def gemm_peak(dtype, *, thread_count: int, size: int, repeats: int) -> float:
    """Flop/s of a square product size × size × size (2·size³ flops) through numpy's BLAS."""
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((size, size)).astype(dtype) for _ in range(2))
    out = np.empty_like(a)
    with threads(thread_count):
        timing = time_call(lambda: np.matmul(a, b, out=out), repeats=repeats)
    return 2 * size**3 / timing.best


def measure_limits(*, thread_counts, megabytes: int, gemm_size: int, repeats: int) -> dict[tuple[str, int], Limits]:
    """Limits for float64 and float32 at each thread count, keyed by (dtype name, threads).

    The bandwidth used for both dtypes is the best of the two reads (a property of the memory, not
    of the type), so that a weak float32 read loop cannot flatter the float32 roofline fractions.
    """
    limits = {}
    for count in thread_counts:
        reads = {
            name: read_bandwidth(name, thread_count=count, megabytes=megabytes, repeats=repeats)
            for name in ("float64", "float32")
        }
        for name, read in reads.items():
            peak = gemm_peak(name, thread_count=count, size=gemm_size, repeats=max(3, repeats // 2))
            limits[name, count] = Limits(name, count, max(reads.values()), peak, read_own_dtype=read)
    return limits


def _cpu_model() -> str:
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def _memory_gib() -> float:
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal"):
                return int(line.split()[1]) / 2**20
    return float("nan")


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _git_revision() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    return result.stdout.strip() or "unknown"


def describe() -> dict:
    """CPU model, cores, memory, BLAS (threadpoolctl) and the variables that steer it (e.g.
    ``OPENBLAS_CORETYPE``, which pins OpenBLAS's kernels), library versions, load average, revision."""
    blas = [
        {key: info.get(key) for key in ("internal_api", "version", "architecture", "threading_layer", "num_threads")}
        for info in threadpool_info()
    ]
    return {
        "host": platform.node(),
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(_memory_gib(), 1),
        "blas": blas,
        "thread_environment": {
            name: value
            for name, value in sorted(os.environ.items())
            if name.startswith(("OPENBLAS_", "OMP_", "MKL_", "NUMBA_", "GOTO"))
        },
        "numba_threading_layer": numba.threading_layer() if _numba_pool_started() else "not started",
        "versions": {
            package: _version(package)
            for package in ("eoc", "numpy", "scipy", "numba", "torch", "mpi4py", "mpich", "threadpoolctl")
        },
        "python": platform.python_version(),
        "git_revision": _git_revision(),
        "load_average": os.getloadavg(),
    }


def _numba_pool_started() -> bool:
    try:
        numba.threading_layer()
    except ValueError:
        return False
    return True
