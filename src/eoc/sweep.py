"""The sweep: canonical numbers of its grid, blocks of jobs, and what each job asks of the machine.

Used by the Snakemake workflow (``workflow/rules/common.smk``), which names the files of the sweep
and sizes its jobs with it, and by the merge, which reads the block labels back from the paths of
failure records. The facts of each model (weight blocks, products per step) come from the table of
models, :data:`eoc.simulate.models.MODELS` (imported where needed, so that naming files does not
load the engine).

Canonical numbers: a grid value is written in paths as ``number_label(x)`` (10 significant
digits, ``%.10g``) and the grid itself holds ``canonical(x) = float(number_label(x))``, so that
``0.1 + 0.2`` and ``0.3`` are the same cell, the same path, and parse back to the same float.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from eoc.errors import InputError

#: Characters that a canonical number label may contain (``%.10g`` of a finite float).
NUMBER_PATTERN = r"[0-9][0-9.e+-]*"

#: A canonical label of a value that may be negative (a bias mean): ``-1``, ``0``, ``0.5``.
MEAN_PATTERN = rf"-?{NUMBER_PATTERN}"

#: A block of consecutive grid values: ``lo`` or ``lo_to_hi`` (see :func:`block_label`).
BLOCK_PATTERN = rf"{NUMBER_PATTERN}(_to_{NUMBER_PATTERN})?"

_MB = 1024**2


def number_label(x: float) -> str:
    """The one way a grid value is written: ``format(x, ".10g")`` ("0.3", "2", "1e-05")."""
    return format(float(x), ".10g")


def canonical(x: float) -> float:
    """The grid value that ``number_label(x)`` parses back to."""
    return float(number_label(x))


def canonical_grid(name: str, values: Iterable[float]) -> list[float]:
    """Canonicalise and sort a grid; two entries with the same label are an error."""
    values = list(values)
    grid = sorted(canonical(v) for v in values)
    repeated = sorted({number_label(v) for v in grid if grid.count(v) > 1})
    if repeated:
        raise InputError(f"{name} has values that are equal once written canonically: {repeated} (from {values!r})")
    return grid


def blocks(values: Sequence[float], size: int) -> list[list[float]]:
    """Split a sorted grid into consecutive blocks of ``size`` values (the last may be shorter)."""
    return [list(values[i : i + size]) for i in range(0, len(values), size)]


def block_label(block: Sequence[float]) -> str:
    """Path label of a block: ``"2"`` for one value, ``"1.5_to_2.5"`` for several."""
    if len(block) == 1:
        return number_label(block[0])
    return f"{number_label(block[0])}_to_{number_label(block[-1])}"


def block_values(label: str, grid: Sequence[float]) -> list[float]:
    """The grid values a block label covers (inverse of :func:`block_label` on ``grid``)."""
    lo, _, hi = label.partition("_to_")
    lo, hi = float(lo), float(hi or lo)
    values = [v for v in grid if lo <= v <= hi]
    if not values or values[0] != lo or values[-1] != hi:
        raise InputError(f"block label {label!r} does not match the grid {list(grid)!r}")
    return values


def per_model(name: str, value, models: Iterable[str], *, known: Iterable[str]) -> dict[str, int]:
    """A run-length key of the config for each model of the sweep: ``value`` is one number for
    every model or a mapping ``{model: number}`` (e.g. ``{"lstm": 2000, "rate": 5000}``: the LSTM
    is a map whose exponents converge per network step, the rate model a flow integrated in RK4
    steps of dt). Raises InputError naming the key for a model the table ``known`` lacks or a
    model of ``models`` the mapping leaves out.
    """
    models = list(models)
    if not isinstance(value, dict):
        return dict.fromkeys(models, value)
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise InputError(f"{name} names unknown model(s) {', '.join(unknown)} (models: {', '.join(known)})")
    absent = [model for model in models if model not in value]
    if absent:
        raise InputError(f"{name} has no value for model(s) {', '.join(absent)} of `models`")
    return {model: value[model] for model in models}


def weights_mb(model: str, N: int) -> float:
    """Memory of the recurrent weights in MiB: G N² × 8 bytes (float64) with G the model's weight
    blocks (the LSTM's U_f, U_i, U_o, U_c: 4; the rate model's J: 1)."""
    from eoc.simulate.models import MODELS

    return len(MODELS[model].weight_blocks) * N**2 * 8 / _MB


def mpi_tasks(model: str, N: int, *, mb_per_task: float, min_tasks: int, max_tasks: int) -> int:
    """MPI ranks for one simulation: enough that each holds at most ``mb_per_task`` MiB of
    weights, clipped to ``[min_tasks, max_tasks]``."""
    return min(max_tasks, max(min_tasks, math.ceil(weights_mb(model, N) / mb_per_task)))


def memory_mb(model: str, N: int, *, tasks: int, mb_per_process: float, networks: int = 1) -> int:
    """Memory of a job in MiB: the weights of its ``networks`` seeds (split over ranks, 1.5 x for
    the blocks generated from the seed) plus ``mb_per_process`` per rank for Python, NumPy and MPI."""
    return math.ceil(1.5 * networks * weights_mb(model, N) + tasks * mb_per_process)


def step_seconds(
    model: str,
    N: int,
    *,
    tasks: int,
    points: int,
    k: int,
    networks: int = 1,
    gb_per_s_per_task: float,
    gflops_per_task: float,
    step_overhead_ms: float,
) -> float:
    """Seconds of one step of a job, from the roofline of its products and a fixed overhead:

        t = networks · products_per_step · max(W / (tasks · b), 2 W/8 · points · (1 + k) / (tasks · P))
            + overhead

    W the bytes of one network's weights (float64), read once per product for all ``points`` of its
    batch and their ``k`` tangent vectors (the product turns compute bound only when the batch has
    many columns); b = ``gb_per_s_per_task`` GB/s and P = ``gflops_per_task`` GFLOP/s per rank; the
    overhead (``step_overhead_ms``) is the Python layer's element-wise work, once per step for all
    networks of the job (they are stepped together, :mod:`eoc.simulate.networks`)."""
    from eoc.simulate.models import MODELS

    weights = weights_mb(model, N) * _MB
    read = weights / (tasks * gb_per_s_per_task * 1e9)
    compute = 2 * (weights / 8) * points * (1 + k) / (tasks * gflops_per_task * 1e9)
    return networks * MODELS[model].products_per_step * max(read, compute) + step_overhead_ms / 1e3


def seeds_per_job(
    model: str, N: int, *, seeds: int, at_least: int = 1, job_minutes: float | None = None, steps: int, **step
) -> int:
    """How many seeds' networks one job steps together: ``at_least`` (config ``batch.seeds``), or,
    given ``job_minutes`` (config ``batch.job_minutes``), as many as fill that many minutes of
    ``steps`` steps of :func:`step_seconds` (keywords ``step``):

        networks = floor((60 · job_minutes / steps − overhead) / t₁),  t₁ = one network's products

    so that small-N cells, whose one-network jobs last a minute, share one Slurm job while large-N
    jobs keep one seed each. Never fewer than ``at_least`` nor more than ``seeds``.
    """
    if job_minutes is None:
        return min(at_least, seeds)
    overhead = step_seconds(model, N, **step, networks=0)
    per_network = step_seconds(model, N, **step, networks=1) - overhead
    fits = math.floor((60 * job_minutes / steps - overhead) / per_network)
    return max(1, min(seeds, max(at_least, fits)))


def runtime_minutes(model: str, N: int, *, steps: int, base_minutes: float, attempt: int = 1, **step) -> int:
    """Wall-clock limit in minutes: ``steps`` steps of :func:`step_seconds` (keywords ``step``),
    times 2 for safety, plus a start-up ``base_minutes``; each retry (``attempt``) doubles it."""
    seconds = steps * step_seconds(model, N, **step)
    return math.ceil((base_minutes + 2 * seconds / 60) * 2 ** (attempt - 1))
