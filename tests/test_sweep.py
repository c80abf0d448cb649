"""The sweep (eoc.sweep): canonical numbers in paths, blocks, job sizes from N."""

import re

import numpy as np
import pytest

from eoc import InputError
from eoc import sweep as grid


def test_one_label_per_number_and_it_parses_back():
    assert grid.number_label(0.1 + 0.2) == grid.number_label(0.3) == "0.3"
    assert grid.number_label(2.0) == grid.number_label(2) == "2"
    for x in [*np.linspace(0.0, 4.0, 41), 1e-5, 123456.789, 0.30000000000000004]:
        label = grid.number_label(x)
        assert re.fullmatch(grid.NUMBER_PATTERN, label)
        assert grid.canonical(float(label)) == float(label) == grid.canonical(x)
        assert grid.number_label(float(label)) == label


def test_canonical_grid_sorts_and_rejects_values_equal_once_written():
    assert grid.canonical_grid("g", [2.5, 0.1 + 0.2, 1]) == [0.3, 1.0, 2.5]
    with pytest.raises(InputError, match=r"g has values that are equal once written canonically: \['0.3'\]"):
        grid.canonical_grid("g", [0.3, 0.1 + 0.2])


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_blocks_cover_the_grid_and_labels_give_them_back(size):
    values = grid.canonical_grid("g", np.linspace(0.5, 3.5, 7))
    blocks = grid.blocks(values, size)
    assert [v for block in blocks for v in block] == values
    assert all(len(block) == size for block in blocks[:-1])
    for block in blocks:
        label = grid.block_label(block)
        assert re.fullmatch(grid.BLOCK_PATTERN, label)
        assert grid.block_values(label, values) == block


def test_a_label_outside_the_grid_is_an_error():
    with pytest.raises(InputError, match=r"block label '1\.1_to_2' does not match the grid"):
        grid.block_values("1.1_to_2", [1.0, 1.5, 2.0])


def test_weights_are_gates_times_n_squared_float64():
    assert grid.weights_mb("lstm", 16384) == 4 * 16384**2 * 8 / 2**20 == 8192
    assert grid.weights_mb("rate", 1024) == 8


def test_tasks_grow_with_the_weights_within_bounds():
    options = dict(mb_per_task=512, min_tasks=2, max_tasks=64)
    assert grid.mpi_tasks("rate", 64, **options) == 2
    assert grid.mpi_tasks("lstm", 16384, **options) == 16  # 8 GiB / 512 MiB
    assert grid.mpi_tasks("lstm", 131072, **options) == 64
    for N in (1024, 4096, 16384, 65536):
        tasks = grid.mpi_tasks("lstm", N, **options)
        assert grid.weights_mb("lstm", N) / tasks <= 512 or tasks == 64


def test_memory_and_runtime_scale_like_the_weights():
    memory = [grid.memory_mb("lstm", N, tasks=2, mb_per_process=0) for N in (4096, 8192)]
    assert memory[1] == pytest.approx(4 * memory[0], rel=1e-3)
    assert memory[0] >= grid.weights_mb("lstm", 4096)
    assert grid.memory_mb("lstm", 4096, tasks=2, mb_per_process=0, networks=3) == pytest.approx(3 * memory[0], abs=1)
    options = dict(
        steps=10_000, points=1, k=1, gb_per_s_per_task=2.0, gflops_per_task=10.0, step_overhead_ms=0.0, base_minutes=0
    )
    t = [grid.runtime_minutes("lstm", 16384, tasks=p, **options) for p in (8, 16)]
    assert t[0] == pytest.approx(2 * t[1], abs=1)
    # a step streams 8 GiB once: 10,000 steps / (8 ranks x 2 GB/s) = 5369 s; twice that, in minutes
    assert t[0] == np.ceil(2 * 10_000 * 8 * 2**30 / (8 * 2e9) / 60)
    assert grid.runtime_minutes("lstm", 16384, tasks=8, attempt=2, **options) == 2 * t[0]
    # the rate model's RK4 takes four products per step with a matrix of a quarter of the size
    assert grid.runtime_minutes("rate", 16384, tasks=8, **options) == t[0]


def test_step_time_reads_the_weights_once_for_a_batch():
    """A batch of points shares one read of the weights: memory bound, the step does not grow with
    the points until the columns make it compute bound (W/8 · 2 · columns flops > W bytes · P/b);
    networks stepped together each read their own weights; the overhead is once per step."""
    machine = dict(gb_per_s_per_task=2.0, gflops_per_task=10.0, step_overhead_ms=0.0)
    one, batch = (grid.step_seconds("lstm", 4096, tasks=2, points=p, k=1, **machine) for p in (1, 8))
    assert batch == one == pytest.approx(4 * 4096**2 * 8 / (2 * 2e9))
    columns = 64  # 2 flops per weight and column at 10 GFLOP/s against 8 bytes at 2 GB/s: bound above 20 columns
    assert grid.step_seconds("lstm", 4096, tasks=2, points=columns // 2, k=1, **machine) == pytest.approx(
        one * columns / 20
    )
    seeds = grid.step_seconds("lstm", 4096, tasks=2, points=8, k=1, networks=3, **machine)
    assert seeds == pytest.approx(3 * one)
    overhead = grid.step_seconds("lstm", 64, tasks=2, points=8, k=1, networks=3, **{**machine, "step_overhead_ms": 1.5})
    assert overhead == pytest.approx(1.5e-3, rel=0.1)  # small N: the overhead is the step


def test_run_length_is_one_number_or_one_per_model():
    assert grid.per_model("steps", 500, ["lstm", "rate"], known=("lstm", "rate")) == {"lstm": 500, "rate": 500}
    both = {"lstm": 2000, "rate": 5000}
    assert grid.per_model("steps", both, ["rate"], known=("lstm", "rate")) == {"rate": 5000}
    with pytest.raises(InputError, match=r"steps has no value for model\(s\) rate"):
        grid.per_model("steps", {"lstm": 1}, ["lstm", "rate"], known=("lstm", "rate"))
    with pytest.raises(InputError, match=r"steps names unknown model\(s\) gru"):
        grid.per_model("steps", {"gru": 1, "lstm": 1}, ["lstm"], known=("lstm", "rate"))


def test_seeds_per_job_fill_the_job_minutes():
    step = dict(tasks=2, points=8, k=8, gb_per_s_per_task=5.0, gflops_per_task=10.0, step_overhead_ms=2.0)
    assert grid.seeds_per_job("lstm", 1024, seeds=20, at_least=3, steps=25_000, **step) == 3
    small = grid.seeds_per_job("lstm", 1024, seeds=20, job_minutes=60, steps=25_000, **step)
    large = grid.seeds_per_job("lstm", 16384, seeds=20, job_minutes=60, steps=25_000, **step)
    assert large == 1 and 1 < small < 20
    # the chosen block fits the minutes, one more network would not
    minutes = [25_000 * grid.step_seconds("lstm", 1024, networks=n, **step) / 60 for n in (small, small + 1)]
    assert minutes[0] <= 60 < minutes[1]
    # never more than the seeds there are, nor fewer than asked for
    assert grid.seeds_per_job("lstm", 64, seeds=5, job_minutes=60, steps=100, **step) == 5
    assert grid.seeds_per_job("lstm", 16384, seeds=20, at_least=2, job_minutes=1, steps=25_000, **step) == 2
