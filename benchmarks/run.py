"""All performance benchmarks in one command: machine limits, kernels, engine, PyTorch, MPI, memory.

    .venv/bin/python -m benchmarks.run --quick     # ~90 s: N ≤ 8192, k ∈ {0, 1}
    .venv/bin/python -m benchmarks.run             # ~7.5 min: N ≤ 16384, k ∈ {0, 1, 8} (8 GiB at N = 16384)
    .venv/bin/python -m benchmarks.run --memory    # also the 8–16 GiB peak-memory runs (one at a time)

Everything is measured in the same run, so every ratio compares numbers taken minutes apart on the
same (possibly shared) machine; the load average at start and end is recorded to show a noisy run.
Prints markdown tables and writes them, with the machine description and the raw numbers (JSON),
to ``benchmarks/results/<date>-<host>[-quick].{md,json}``. Run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numba

from benchmarks import engine_steps, kernel_shapes, machine, torch_baseline

RESULTS = Path(__file__).parent / "results"
PYTHON = sys.executable
MPIEXEC = str(Path(sys.executable).with_name("mpiexec"))

QUICK = {
    "megabytes": 512,
    "gemm_size": 2048,
    "repeats": 5,
    "n": (2048, 4096, 8192),
    "k": (0, 1),
    "shape_columns": (1, 2, 3, 4, 8, 9, 16, 32),
    "shape_threads": (2,),
    "torch_n": (2048, 4096),
    "torch_steps": 10,
    "mpi_n": (8192,),
    "run_steps": 100,
}
FULL = {
    "megabytes": 1024,
    "gemm_size": 3072,
    "repeats": 10,
    "n": (1024, 2048, 4096, 8192, 16384),
    "k": (0, 1, 8),
    "shape_columns": (1, 2, 3, 4, 5, 8, 9, 12, 16, 32),
    "shape_threads": (1, 2),
    "torch_n": (1024, 2048, 4096, 8192),
    "torch_steps": 20,
    "mpi_n": (4096, 8192),
    "run_steps": 300,
}
#: Peak-memory runs: the engine at the sizes of the target, PyTorch where it still fits.
MEMORY_RUNS = (("engine", 16384, "float64"), ("engine", 32768, "float32"), ("torch", 8192, "float32"))
BATCH_POINTS, BATCH_N = 16, 4096
THREADS = 2


def table(header: list[str], rows: list[list]) -> str:
    """A markdown table; floats with three significant digits."""

    def cell(value):
        return f"{value:.3g}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def limits_section(limits) -> tuple[str, list]:
    rows = [
        [dtype, count, limit.read_own_dtype / 1e9, limit.bandwidth / 1e9, limit.gemm_peak / 1e9]
        for (dtype, count), limit in sorted(limits.items())
    ]
    header = ["dtype", "threads", "read GB/s (this dtype)", "bandwidth used GB/s", "GEMM peak GFLOP/s"]
    return "## Machine limits\n\n" + table(header, rows), rows


def shapes_section(limits, settings) -> tuple[str, list]:
    rows = []
    for count in settings["shape_threads"]:
        rows += kernel_shapes.measure_kernel_shapes(
            limits, n=4096, column_counts=settings["shape_columns"], thread_count=count, repeats=settings["repeats"]
        )
    body = [[r["dtype"], r["threads"], r["columns"], r["fused"], r["panels"], r["blas"], r["dispatcher"]] for r in rows]
    text = "## Product of 4N × N weights with k′ columns, N = 4096 (fraction of roofline)\n\n" + table(
        ["dtype", "threads", "k′", "fused kernels", "panel kernels", "BLAS (numpy.matmul)", "dispatcher picks"], body
    )
    return text, rows


def engine_section(limits, settings) -> tuple[str, list[engine_steps.StepTime], dict]:
    """Step times of both models over N, k, dtype (2 threads), and the batched sweep at N = 4096."""
    steps, batched = [], {}
    for dtype in ("float64", "float32"):
        for n in settings["n"]:
            for model in ("lstm", "rate"):
                disorder = engine_steps.random_disorder(model, n=n, dtype=dtype)
                for k in settings["k"]:
                    steps.append(
                        engine_steps.measure_step(
                            model, disorder, k=k, points=1, limits=limits[dtype, THREADS], repeats=settings["repeats"]
                        )
                    )
                if model == "lstm" and n == BATCH_N:
                    for k in (0, 1):
                        batched[dtype, k] = engine_steps.measure_step(
                            model,
                            disorder,
                            k=k,
                            points=BATCH_POINTS,
                            limits=limits[dtype, THREADS],
                            repeats=settings["repeats"],
                        )
                del disorder
    body = [
        [s.model, s.dtype, s.n, s.k, s.timing.best * 1e3, s.roofline * 1e3, s.fraction, s.product_share] for s in steps
    ]
    text = f"## Engine step ({THREADS} threads): fraction of the roofline bound\n\n" + table(
        ["model", "dtype", "N", "k", "step ms", "bound ms", "fraction of roofline", "share in the product"], body
    )
    single = {(s.dtype, s.k): s for s in steps if s.model == "lstm" and s.n == BATCH_N}
    body = [
        [
            dtype,
            k,
            single[dtype, k].timing.best * 1e3,
            b.timing.best * 1e3 / BATCH_POINTS,
            single[dtype, k].timing.best * BATCH_POINTS / b.timing.best,
            single[dtype, k].roofline * BATCH_POINTS / b.roofline,
            b.fraction,
            b.product_share,
        ]
        for (dtype, k), b in batched.items()
        if (dtype, k) in single
    ]
    text += (
        f"\n\n## Batched sweep: {BATCH_POINTS} (g, σ_b) points sharing one disorder, LSTM, N = {BATCH_N}\n\n"
        "(gain bound: the gain if both runs sat on their roofline; above ~4 columns the batched\n"
        "product is bound by the GEMM peak, not by the bandwidth)\n\n"
        + table(
            [
                "dtype",
                "k",
                "single point ms/step",
                "batched ms/step per point",
                "gain per point",
                "gain bound",
                "batched fraction of roofline",
                "share in the product",
            ],
            body,
        )
    )
    return text, steps, batched


def run_section(steps, settings) -> tuple[str, list]:
    """The engine's whole time loop per step against the isolated step (LSTM, N = 4096, k = 1), in
    fresh processes with OpenBLAS's default spin of idle threads and with ``OPENBLAS_THREAD_TIMEOUT=4``
    (idle OpenBLAS threads, e.g. after the QR every 10 steps, otherwise spin for ~2^28 cycles and
    take the cores from the numba kernels)."""
    isolated = {s.dtype: s for s in steps if s.model == "lstm" and s.n == BATCH_N and s.k == 1}
    rows = []
    for dtype in isolated:
        for timeout in (None, "4"):
            env = {name: value for name, value in os.environ.items() if name != "OPENBLAS_THREAD_TIMEOUT"}
            env.update({} if timeout is None else {"OPENBLAS_THREAD_TIMEOUT": timeout})
            command = [
                PYTHON,
                "-m",
                "benchmarks.engine_steps",
                "--N",
                str(BATCH_N),
                "--k",
                "1",
                "--dtype",
                dtype,
                "--steps",
                str(settings["run_steps"]),
                "--threads",
                str(THREADS),
            ]
            result = subprocess.run(command, env=env, capture_output=True, text=True, check=True, timeout=600)
            row = json.loads(result.stdout.strip().splitlines()[-1])
            row["fraction"] = isolated[dtype].roofline / row["loop_seconds_per_step"]
            rows.append(row)
    body = [
        [
            r["dtype"],
            r["OPENBLAS_THREAD_TIMEOUT"],
            r["loop_seconds_per_step"] * 1e3,
            r["step_seconds"] * 1e3,
            r["step_seconds"] / r["loop_seconds_per_step"],
            r["fraction"],
        ]
        for r in rows
    ]
    text = (
        f"## Engine time loop (as eoc.simulate.run builds it: QR every 10 steps, observables), LSTM, "
        f"N = {BATCH_N}, k = 1, {THREADS} threads\n\n"
        + table(
            [
                "dtype",
                "OPENBLAS_THREAD_TIMEOUT",
                "loop ms/step",
                "isolated step ms",
                "isolated / loop",
                "loop fraction of roofline",
            ],
            body,
        )
    )
    return text, rows


def torch_section(steps, settings) -> tuple[str, list]:
    """PyTorch's trajectory and jvp step against the engine's k = 0 and k = 1 LSTM steps."""
    ours = {(s.dtype, s.n, s.k): s.timing.best for s in steps if s.model == "lstm"}
    rows = []
    for dtype in ("float64", "float32"):
        for n in settings["torch_n"]:
            trajectory = torch_baseline.trajectory_step(
                n=n, dtype=dtype, thread_count=THREADS, steps=settings["torch_steps"], repeats=3
            )
            jvp = torch_baseline.jvp_step(n=n, dtype=dtype, thread_count=THREADS, repeats=3)
            rows.append(
                {
                    "dtype": dtype,
                    "N": n,
                    "torch_trajectory_seconds": trajectory.best,
                    "torch_jvp_seconds": jvp.best,
                    "eoc_k0_seconds": ours.get((dtype, n, 0)),
                    "eoc_k1_seconds": ours.get((dtype, n, 1)),
                }
            )
    body = [
        [
            r["dtype"],
            r["N"],
            r["torch_trajectory_seconds"] * 1e3,
            _ratio(r["torch_trajectory_seconds"], r["eoc_k0_seconds"]),
            r["torch_jvp_seconds"] * 1e3,
            _ratio(r["torch_jvp_seconds"], r["eoc_k1_seconds"]),
        ]
        for r in rows
    ]
    text = f"## PyTorch {torch_baseline.torch.__version__} on the CPU ({THREADS} threads): speed-up of eoc\n\n" + table(
        ["dtype", "N", "nn.LSTM ms/step", "eoc k=0 speed-up", "func.jvp LSTMCell ms/step", "eoc k=1 speed-up"], body
    )
    return text, rows


def _ratio(theirs, ours):
    return theirs / ours if ours else "n/a"


def mpi_section(settings) -> tuple[str, list]:
    """1 and 2 ranks, one thread each (subprocesses under mpiexec), beside the speed-up that the
    memory allows: the read bandwidth of 2 cores over that of 1, measured again just before (a
    memory-bound step cannot beat it; on a shared VM host it varies over time)."""
    reads = {
        count: machine.read_bandwidth(
            "float64", thread_count=count, megabytes=settings["megabytes"], repeats=settings["repeats"]
        )
        for count in (1, 2)
    }
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", NUMBA_NUM_THREADS="1", MKL_NUM_THREADS="1")
    rows = []
    for n in settings["mpi_n"]:
        for ranks in (1, 2):
            command = [MPIEXEC, "-n", str(ranks), PYTHON, "-m", "benchmarks.mpi_scaling", "--N", str(n), "--k", "1"]
            result = subprocess.run(command, env=env, capture_output=True, text=True, check=True, timeout=600)
            rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
    one = {r["N"]: r["step_seconds"] for r in rows if r["ranks"] == 1}
    memory_bound = {1: 1.0, 2: reads[2] / reads[1]}
    for r in rows:
        r["bandwidth_speedup"] = memory_bound[r["ranks"]]
    body = [
        [
            r["N"],
            r["ranks"],
            r["step_seconds"] * 1e3,
            one[r["N"]] / r["step_seconds"],
            one[r["N"]] / r["step_seconds"] / r["ranks"],
            r["bandwidth_speedup"],
            r["allgather_seconds"] * 1e6,
        ]
        for r in rows
    ]
    text = "## MPI strong scaling, LSTM float64, k = 1, one thread per rank\n\n" + table(
        [
            "N",
            "ranks",
            "step ms",
            "speed-up",
            "parallel efficiency",
            "bandwidth speed-up B(2 cores)/B(1 core)",
            "Allgatherv µs",
        ],
        body,
    )
    return text, rows


def memory_section() -> tuple[str, list]:
    """Peak RSS of the large runs, each in its own process, one after the other."""
    rows = []
    for code, n, dtype in MEMORY_RUNS:
        command = [PYTHON, "-m", "benchmarks.peak_memory", code, "--N", str(n), "--dtype", dtype]
        result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=1800)
        rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
    body = [
        [
            r["code"],
            r["N"],
            r["dtype"],
            r["weights_bytes"] / 2**30,
            r["peak_rss_bytes"] / 2**30,
            r["ratio"],
            r["seconds"],
        ]
        for r in rows
    ]
    text = "## Peak memory (fresh process each)\n\n" + table(
        ["code", "N", "dtype", "weights GiB", "peak RSS GiB", "peak / weights", "seconds"], body
    )
    return text, rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N ≤ 8192, k ∈ {0, 1}, fewer repetitions (~90 s)")
    parser.add_argument("--memory", action="store_true", help="also the peak-memory runs (8–16 GiB each)")
    parser.add_argument(
        "--skip", nargs="*", default=(), choices=("shapes", "run", "torch", "mpi"), help="sections to leave out"
    )
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    started = time.perf_counter()
    description = machine.describe()
    print(
        f"# eoc benchmarks ({'quick' if args.quick else 'full'}), "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, load average {description['load_average']}",
        flush=True,
    )
    sections, raw = [], {"mode": "quick" if args.quick else "full"}
    limits = machine.measure_limits(
        thread_counts=(1, 2),
        megabytes=settings["megabytes"],
        gemm_size=settings["gemm_size"],
        repeats=settings["repeats"],
    )
    text, raw["limits"] = limits_section(limits)
    sections.append(text)
    print(text, flush=True)
    if "shapes" not in args.skip:
        text, raw["kernel_shapes"] = shapes_section(limits, settings)
        sections.append(text)
        print(text, flush=True)
    text, steps, batched = engine_section(limits, settings)
    raw["engine"] = [dict(asdict(s), fraction=s.fraction) for s in steps]
    raw["batched"] = [dict(asdict(s), fraction=s.fraction) for s in batched.values()]
    sections.append(text)
    print(text, flush=True)
    for name, section in (
        ("run", lambda: run_section(steps, settings)),
        ("torch", lambda: torch_section(steps, settings)),
        ("mpi", lambda: mpi_section(settings)),
    ):
        if name not in args.skip:
            text, raw[name] = section()
            sections.append(text)
            print(text, flush=True)
    if args.memory:
        text, raw["memory"] = memory_section()
        sections.append(text)
        print(text, flush=True)
    description["numba_threading_layer"] = numba.threading_layer()
    description["load_average_end"] = os.getloadavg()
    description["wall_seconds"] = time.perf_counter() - started
    raw["machine"] = description
    stamp = f"{datetime.datetime.now(datetime.UTC):%Y%m%d-%H%M}-{description['host']}" + (
        "-quick" if args.quick else ""
    )
    RESULTS.mkdir(exist_ok=True)
    machine_text = "## Machine\n\n```\n" + json.dumps(description, indent=1) + "\n```"
    (RESULTS / f"{stamp}.md").write_text(
        "\n\n".join([sections[0].replace("## Machine limits", machine_text + "\n\n## Machine limits")] + sections[1:])
        + "\n"
    )
    (RESULTS / f"{stamp}.json").write_text(json.dumps(raw, indent=1, default=str) + "\n")
    print(
        f"\nload average at the end {description['load_average_end']}; took {description['wall_seconds']:.0f} s; "
        f"written to {RESULTS / stamp}.md/.json"
    )


if __name__ == "__main__":
    main()
