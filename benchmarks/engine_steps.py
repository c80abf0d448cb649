"""Step time of the engine's LSTM and rate model (eoc.simulate), against the roofline bound.

A step of the LSTM is one product of the 4N × N stacked matrix with the 1 + k columns [h, δh_1..δh_k]
plus O(N·(1+k)) element-wise work; a step of the rate model is one RK4 step, i.e. four products of
the N × N matrix. Roofline bound of a step (:class:`benchmarks.machine.Limits`):

    LSTM: max(4N²·s / B, 2·4N²·(1+k) / P),    rate: 4 · max(N²·s / B, 2·N²·(1+k) / P)

with s the bytes per number, B the read bandwidth and P the GEMM peak (k = 0: no tangent vector).
B is the larger of the run's bandwidth measurement and a read of the same weights right before the
step is timed (for N ≤ 2048 the rate model's weights fit in the 32 MiB L3: B is then a cache
bandwidth, and the fraction says how close the step comes to that).

The weights are filled with numpy's default generator and scaled by 1/√N (the engine draws them per
unit with Philox, which takes about 15 s at N = 8192: the step time does not depend on the draw).
The dynamics are the engine's own classes, stepped through their ``step()``;
:func:`run_seconds_per_step` times the engine's whole time loop, built as ``eoc.simulate.run`` builds it.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass, replace

import numpy as np

from benchmarks.machine import Limits, read_sum
from benchmarks.timing import Timing, threads, time_call
from eoc.kernels import rows_times_columns
from eoc.simulate.disorder import Disorder
from eoc.simulate.driver import build_dynamics, recorded_units
from eoc.simulate.engine import Engine
from eoc.simulate.lstm import LSTM
from eoc.simulate.models import MODELS
from eoc.simulate.options import Options
from eoc.simulate.parallel import Partition, SerialComm
from eoc.simulate.rate import RateModel
from eoc.simulate.recurrent import RecurrentProduct

#: A chaotic point (g = 3 > g_c = 2) so that the trajectory neither settles nor diverges.
GAIN, BIAS_SCALE = 3.0, 0.1


@dataclass(frozen=True)
class StepTime:
    """One measured configuration: model, N, k, dtype, batch size, threads, step time and bound."""

    model: str
    n: int
    k: int
    dtype: str
    points: int
    threads: int
    timing: Timing
    roofline: float
    product_seconds: float

    @property
    def fraction(self) -> float:
        """Fraction of the roofline bound reached (1 = at the bound)."""
        return self.roofline / self.timing.best

    @property
    def product_share(self) -> float:
        """Share of the step spent in the products with the weights (the rest: element-wise work)."""
        return self.product_seconds / self.timing.best


def random_disorder(model: str, *, n: int, dtype: str, comm=None, seed: int = 0) -> Disorder:
    """This rank's rows of Z/√N (row blocks as in the engine) and biases ξ, from a fast generator."""
    comm = SerialComm() if comm is None else comm
    units = Partition(n, comm.size).rows(comm.rank)
    gates = len(MODELS[model].weight_blocks)
    rng = np.random.default_rng([seed, comm.rank])
    weights = rng.standard_normal((gates * (units.stop - units.start), n), dtype=np.dtype(dtype))
    weights *= weights.dtype.type(1 / np.sqrt(n))
    return Disorder(weights=weights, bias=rng.standard_normal((gates, units.stop - units.start)), units=units)


def dynamics(model: str, disorder: Disorder, *, k: int, points: int, comm=None):
    """The engine's batched LSTM or rate model on ``disorder``, ``points`` (g, σ_b) points, k tangents."""
    comm = SerialComm() if comm is None else comm
    n = disorder.weights.shape[1]
    partition = Partition(n, comm.size)
    dtype = disorder.weights.dtype
    rows = MODELS[model].state_per_unit * (disorder.units.stop - disorder.units.start)
    rng = np.random.default_rng(1)
    state = (0.5 * rng.standard_normal((rows, points))).astype(dtype)
    tangents = rng.standard_normal((rows, points, k)).astype(dtype)
    gains = np.linspace(GAIN, GAIN + 1, points)
    bias_scales = np.full(points, BIAS_SCALE)
    product = RecurrentProduct(disorder.weights, comm, partition)
    if model == "lstm":
        return LSTM(
            disorder,
            product,
            gains=np.tile(gains, (4, 1)),
            bias_scales=bias_scales,
            bias_means=np.zeros(4),
            state=state,
            tangents=tangents,
        )
    return RateModel(disorder, product, gains=gains, bias_scales=bias_scales, state=state, tangents=tangents, dt=0.1)


def roofline_seconds(model: str, *, n: int, k: int, points: int, limits: Limits, itemsize: int) -> float:
    """The bound of one step (module docstring), for a batch of ``points`` points."""
    rows, products = len(MODELS[model].weight_blocks) * n, MODELS[model].products_per_step
    columns = points * (1 + k)
    weights = rows * n
    bytes_moved = itemsize * (weights + (n + rows) * columns)
    return products * limits.roofline_seconds(bytes_moved=bytes_moved, flops=2.0 * weights * columns)


def measure_step(model: str, disorder: Disorder, *, k: int, points: int, limits: Limits, repeats: int) -> StepTime:
    """Best-of-``repeats`` time of ``dynamics.step()`` with ``limits.threads`` threads, and of the
    products alone (``rows_times_columns`` on the same shapes, once per LSTM step, 4× per RK4 step)."""
    system = dynamics(model, disorder, k=k, points=points)
    weights = disorder.weights
    n = weights.shape[1]
    columns = np.ones((n, points * (1 + k)), weights.dtype)
    out = np.empty((weights.shape[0], columns.shape[1]), weights.dtype)
    with threads(limits.threads):
        timing = time_call(system.step, repeats=repeats, warmup=2, min_seconds=0.2)
        product = time_call(lambda: rows_times_columns(weights, columns, out), repeats=repeats, min_seconds=0.1)
        # The same weights read just before: the host's bandwidth drifts during a run (shared VM),
        # and the larger of the two readings keeps the fraction conservative.
        read = time_call(lambda: read_sum(weights), repeats=repeats, min_seconds=0.1)
    limits = replace(limits, bandwidth=max(limits.bandwidth, weights.nbytes / read.best))
    products = MODELS[model].products_per_step
    bound = roofline_seconds(model, n=n, k=k, points=points, limits=limits, itemsize=weights.itemsize)
    return StepTime(model, n, k, weights.dtype.name, points, limits.threads, timing, bound, products * product.best)


def run_seconds_per_step(model: str, *, n: int, k: int, dtype: str, steps: int, thread_count: int) -> float:
    """Seconds per step of the engine's whole time loop (:class:`eoc.simulate.engine.Engine`, as
    ``eoc.simulate.run`` builds it: QR every 10 steps, observables, status checks), set-up excluded."""
    config = Options(
        model=model,
        g=GAIN,
        sigma_b=BIAS_SCALE,
        N=n,
        seed=1,
        steps=steps,
        transient=0,
        k=k,
        dtype=dtype,
        n_lags=2,
        renorm_interval=10,
        jacobian_max_N=0,
    )
    comm = SerialComm()
    system = build_dynamics(config, comm)
    engine = Engine(
        system,
        comm,
        n_units=n,
        steps=steps,
        transient=0,
        renorm_interval=config.renorm_interval,
        n_lags=config.n_lags,
        recorded_units=recorded_units(config, comm),
    )
    with threads(thread_count):
        engine.integrate()
    return engine.elapsed / steps


def main(argv=None) -> None:
    """Print one JSON line: the engine loop's and the isolated step's seconds per step (LSTM).

    Run in a fresh process so that environment variables read when the BLAS library loads apply,
    e.g. ``OPENBLAS_THREAD_TIMEOUT`` (how long idle OpenBLAS threads spin before they sleep).
    """
    parser = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    parser.add_argument("--N", type=int, default=4096)
    parser.add_argument("--k", type=int, default=1)
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    loop = run_seconds_per_step(
        "lstm", n=args.N, k=args.k, dtype=args.dtype, steps=args.steps, thread_count=args.threads
    )
    system = dynamics("lstm", random_disorder("lstm", n=args.N, dtype=args.dtype), k=args.k, points=1)
    with threads(args.threads):
        step = time_call(system.step, repeats=10, warmup=2, min_seconds=0.2)
    print(
        json.dumps(
            {
                "N": args.N,
                "k": args.k,
                "dtype": args.dtype,
                "threads": args.threads,
                "OPENBLAS_THREAD_TIMEOUT": os.environ.get("OPENBLAS_THREAD_TIMEOUT", "default"),
                "loop_seconds_per_step": loop,
                "step_seconds": step.best,
            }
        )
    )


if __name__ == "__main__":
    main()
