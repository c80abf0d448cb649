"""Thread pools follow the allocation: the choice (affinity, ranks on the node, Slurm, --threads),
its application in the CLI, and a run under mpiexec -n 2 that records one thread per rank."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr

from eoc import threads
from eoc.cli.simulate import command as simulate_command
from eoc.errors import InputError
from eoc.simulate import Options

A = frozenset
#: A run of a few milliseconds: what the thread tests launch.
SMALL_RUN = Options(model="lstm", g=[3.0], sigma_b=[0.0], N=16, seed=[0], steps=40, transient=0, n_lags=5)


@pytest.mark.parametrize(
    ("cpus", "node_ranks", "caps", "requested", "expected"),
    [
        (A({0, 1}), (A({0, 1}),), {}, None, 2),  # one process, the whole 2-core machine
        (A({0, 1}), (A({0, 1}), A({0, 1})), {}, None, 1),  # mpiexec -n 2, no binding
        (A({0, 1, 2}), (A({0, 1, 2}),) * 2, {}, None, 1),  # 3 cores, 2 ranks: floor, never 0
        (A({0}), (A({0}), A({0}), A({0})), {}, None, 1),  # more ranks than cores: still 1
        (A(range(64)), (A(range(64)),) * 32, {}, None, 2),  # 32 unbound ranks on 64 cores
        (A({4, 5}), tuple(A({2 * r, 2 * r + 1}) for r in range(32)), {}, None, 2),  # srun -c 2, bound
        (A(range(64)), (A(range(64)),), {"SLURM_CPUS_PER_TASK": "8"}, None, 8),  # Slurm caps an unbound process
        (A(range(4)), (A(range(4)),), {"SLURM_CPUS_PER_TASK": "8"}, None, 4),  # ... never raises the affinity
        (A(range(4)), (A(range(4)),), {"SLURM_CPUS_PER_TASK": ""}, None, 4),  # an empty variable is ignored
        (A({0, 1}), (A({0, 1}),), {"OMP_NUM_THREADS": "1"}, None, 1),  # a 1-thread Snakemake job
        (A({0, 1}), (A({0, 1}),) * 2, {"OMP_NUM_THREADS": "2"}, None, 1),  # a 2-thread job of 2 ranks
        (A({0, 1}), (A({0, 1}),), {"OMP_NUM_THREADS": "8", "NUMBA_NUM_THREADS": "x"}, None, 2),  # no raise
        (A(range(4)), (A(range(4)),) * 2, {}, 3, 3),  # --threads overrides
        (A({0}), (A({0}),), {"SLURM_CPUS_PER_TASK": "1", "OMP_NUM_THREADS": "1"}, 16, 16),  # ... everything
    ],
)
def test_choice(cpus, node_ranks, caps, requested, expected):
    assert threads.choose(threads.Allocation(cpus, node_ranks, tuple(caps.items())), requested) == expected


@pytest.mark.parametrize("bad", [0, -2, 1.5, "two", True])
def test_bad_request_names_the_value(bad):
    with pytest.raises(InputError, match="threads"):
        threads.choose(threads.Allocation(A({0}), (A({0}),)), bad)


def test_export_sets_every_pool_variable():
    environ = {"OPENBLAS_CORETYPE": "Haswell"}
    threads.export(3, environ)
    assert environ == {
        "OPENBLAS_CORETYPE": "Haswell",
        "OPENBLAS_THREAD_TIMEOUT": "4",
        **dict.fromkeys(threads.POOL_VARIABLES, "3"),
    }
    environ = {"OPENBLAS_THREAD_TIMEOUT": "10"}  # set by hand: kept
    threads.export(1, environ)
    assert environ["OPENBLAS_THREAD_TIMEOUT"] == "10"


def test_allocation_of_a_serial_process_is_its_affinity():
    chosen = threads.allocation({"SLURM_CPUS_PER_TASK": "1", "OMP_NUM_THREADS": "3", "HOME": "/"})
    assert chosen.cpus == frozenset(os.sched_getaffinity(0)) and chosen.node_ranks == (chosen.cpus,)
    assert chosen.caps == (("SLURM_CPUS_PER_TASK", "1"), ("OMP_NUM_THREADS", "3"))
    assert threads.choose(chosen) == 1


def _clean_environment():
    return {k: v for k, v in os.environ.items() if k not in threads.POOL_VARIABLES and not k.startswith("SLURM")}


def test_cli_applies_threads_and_records_them(tmp_path):
    out = tmp_path / "one.nc"
    command = simulate_command(SMALL_RUN, out=out, threads=1)
    done = subprocess.run(command, capture_output=True, text=True, env=_clean_environment(), timeout=300)
    assert done.returncode == 0, done.stderr
    with xr.open_dataset(out) as ds:
        assert (ds.attrs["numba_threads"], ds.attrs["blas_threads"]) == (1, 1)
        assert ds.attrs["threads_chosen_from"] == "--threads"


def test_cli_rejects_bad_threads_before_work(tmp_path):
    command = [
        sys.executable,
        "-m",
        "eoc",
        "simulate",
        "--model",
        "rate",
        "--g",
        "3",
        "--sigma-b",
        "0",
        "--N",
        "16",
        "--seed",
        "0",
        "--threads",
        "0",
        "--out",
        str(tmp_path / "x.nc"),
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=_clean_environment(), timeout=300)
    assert done.returncode == 2 and "threads must be an integer >= 1, got '0'" in done.stderr


@pytest.mark.mpi
def test_two_ranks_on_two_cores_get_one_thread_each(tmp_path):
    """No thread variable set by hand: each rank's pools shrink to its share of the node."""
    if len(os.sched_getaffinity(0)) != 2:
        pytest.skip("the expected count (1 per rank) is for a 2-core allocation")
    out = tmp_path / "two.nc"
    command = simulate_command(SMALL_RUN, out=out, ranks=2, mpiexec=Path(sys.executable).parent / "mpiexec")
    done = subprocess.run(command, capture_output=True, text=True, env=_clean_environment(), timeout=300)
    assert done.returncode == 0, done.stderr
    with xr.open_dataset(out) as ds:
        assert ds.attrs["mpi_size"] == 2
        assert (ds.attrs["numba_threads"], ds.attrs["blas_threads"]) == (1, 1)
        assert "shared by 2 rank(s)" in ds.attrs["threads_chosen_from"]


def test_choosing_threads_never_starts_mpi():
    """A serial command inside an MPI job step (e.g. eoc merge under srun, whose environment names a
    process manager it cannot reach) must not try to start MPI; the launcher's count of ranks on the
    node still shares the cores."""
    script = "import sys; from eoc import threads; threads.apply(); print('mpi4py.MPI' in sys.modules)"
    environment = dict(os.environ, PMI_SIZE="2", PMI_RANK="0", PMI_FD="999")
    done = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "False", done.stderr
    shared = threads.allocation({"MPI_LOCALNRANKS": "2"})
    assert shared.sharing() == 2 and threads.allocation({}).sharing() == 1
