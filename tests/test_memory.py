"""The memory estimate of a simulation: its arithmetic, the available memory, the refusal, and the
estimate against the peak resident memory of real runs."""

import json
import subprocess
import sys

import pytest

from eoc import InputError
from eoc.simulate import memory
from eoc.simulate.memory import MiB


def test_weights_are_split_over_ranks_and_scale_with_the_dtype():
    lstm = memory.estimate(model="lstm", N=1000, ranks=4)
    assert lstm.weights == 4 * 250 * 1000 * 8
    assert memory.estimate(model="rate", N=1000, ranks=3).weights == 1 * 334 * 1000 * 8  # the largest rank
    assert memory.estimate(model="lstm", N=1000, ranks=4, dtype="float32").weights == lstm.weights // 2


def test_samples_grow_with_the_steps_and_the_rate_model_samples_every_time_unit():
    short, long = (memory.estimate(model="lstm", N=64, steps=s) for s in (1000, 100_000))
    assert long.samples > 50 * short.samples
    lstm, rate = (memory.estimate(model=m, N=64, steps=10_000, dt=0.1) for m in ("lstm", "rate"))
    assert lstm.samples > 5 * rate.samples  # the rate model keeps one sample per 10 steps of dt = 0.1


def test_node_memory_prefers_slurm_allocation():
    assert memory.node_memory({"SLURM_MEM_PER_NODE": "4000"})[0] == 4000 * MiB
    have, source = memory.node_memory({"SLURM_MEM_PER_CPU": "1000", "SLURM_CPUS_ON_NODE": "3"})
    assert have == 3000 * MiB and "SLURM_MEM_PER_CPU" in source
    have, source = memory.node_memory({})
    assert have > 0 and "MemAvailable" in source


def test_refusal_names_N_ranks_dtype_estimate_and_available():
    need = memory.estimate(model="lstm", N=300_000, ranks=2, dtype="float32")
    with pytest.raises(InputError) as error:
        memory.check(need, N=300_000, ranks=2, dtype="float32", available=(24_000 * MiB, "Slurm's allocation"))
    message = str(error.value)
    for fragment in (
        "N=300000",
        "2 rank(s)",
        "float32",
        f"{2 * need.per_rank / MiB:,.0f} MiB",
        "24,000 MiB",
        "Slurm's allocation",
    ):
        assert fragment in message, message
    memory.check(memory.estimate(model="lstm", N=64), N=64, ranks=1, dtype="float64", available=(24_000 * MiB, "x"))


# VmHWM, the peak resident set of this process's own memory map: ru_maxrss would also count the
# parent's (a large pytest process) that Linux records at exec when the child was started by vfork
PEAK = """
import json, sys
from eoc.simulate import run
run(**json.loads(sys.argv[1]), progress=False)
status = open("/proc/self/status").read().split("VmHWM:")[1]
print(int(status.split()[0]) * 1024)
"""


@pytest.mark.parametrize(
    "case",
    [
        dict(model="lstm", N=2048, steps=100, transient=0, n_lags=10),  # the weights dominate
        dict(
            model="lstm", N=256, steps=5000, transient=0, n_lags=10, k=0, g=[1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5]
        ),  # samples
        dict(model="lstm", N=300, steps=100, transient=0, n_lags=10, k=2, g=[2.0, 3.0]),  # the Jacobian (2N)² dominates
    ],
)
def test_estimate_bounds_the_measured_peak_memory_from_above_within_a_factor(case):
    fields = dict(g=[3.0], sigma_b=[0.0], seed=0, k=1, jacobian_max_N=1000) | case
    result = subprocess.run(
        [sys.executable, "-c", PEAK, json.dumps(fields)], capture_output=True, text=True, check=True
    )
    peak = int(result.stdout.split()[-1])
    need = memory.estimate(
        model=fields["model"],
        N=fields["N"],
        points=len(fields["g"]),
        k=fields["k"],
        steps=fields["steps"],
        jacobian_max_N=fields["jacobian_max_N"],
    ).per_rank
    assert peak <= need <= 1.6 * peak, (peak / MiB, need / MiB)
