"""The engine under mpiexec with 2 and 3 ranks: the same network, trajectory and exponents as 1 rank."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from eoc import contract
from eoc.cli.simulate import command as simulate_command
from eoc.simulate import Options, run

pytestmark = pytest.mark.mpi

SCRIPT = Path(__file__).parent / "mpi" / "engine_across_ranks.py"
MPIEXEC = Path(sys.executable).parent / "mpiexec"
# 2 cores: one BLAS / numba thread per rank, or oversubscribed ranks spin against each other
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}


def _mpiexec(ranks, *args):
    if not MPIEXEC.exists():
        pytest.fail(f"no mpiexec next to {sys.executable} (pip install mpich)")
    return subprocess.run(
        [str(MPIEXEC), "-n", str(ranks), sys.executable, *args], capture_output=True, text=True, env=ENV, timeout=300
    )


@pytest.fixture(scope="module")
def one_rank():
    ds = run(model="lstm", g=[1.5, 3.0], sigma_b=[0.3], N=13, seed=7, steps=200, transient=20, k=3, n_lags=10)
    return {
        name: ds[name].values.ravel()
        for name in ("lyapunov_spectrum", "C0", "gate_mean", "autocorr", "jacobian_radius")
    }


@pytest.mark.parametrize("ranks", [2, 3])
def test_same_network_and_results_on_several_ranks(ranks, one_rank):
    done = _mpiexec(ranks, str(SCRIPT))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["size"] == ranks and report["mpi_size_attr"] == ranks  # one communicator, not P serial runs
    assert report["identical_weights"]  # bit-identical rows, each rank holding only its own
    assert report["trajectory_error"] < 1e-10
    np.testing.assert_allclose(report["spectrum"], one_rank["lyapunov_spectrum"], rtol=1e-9, atol=1e-12)
    for name in ("C0", "gate_mean", "autocorr", "jacobian_radius"):
        np.testing.assert_allclose(report[name], one_rank[name], rtol=1e-9, atol=1e-12, err_msg=name)


def test_resume_after_kill_under_mpiexec(tmp_path):
    """Killed after its 12th checkpoint and run again on 2 ranks: the same file as an uninterrupted run."""
    script = str(SCRIPT.parent / "checkpointed_run.py")
    ckpt = tmp_path / "run.ckpt"
    killed = _mpiexec(2, script, str(tmp_path / "killed.nc"), str(ckpt), "12")
    assert killed.returncode != 0 and ckpt.exists() and not (tmp_path / "killed.nc").exists()
    resumed = _mpiexec(2, script, str(tmp_path / "resumed.nc"), str(ckpt), "0")
    assert resumed.returncode == 0 and "at step 120" in resumed.stderr  # 12 checkpoints, QR every 10 steps
    assert not ckpt.exists()
    assert _mpiexec(2, script, str(tmp_path / "whole.nc"), str(tmp_path / "other.ckpt"), "0").returncode == 0
    with (
        contract.open_dataset(tmp_path / "resumed.nc") as resumed,
        contract.open_dataset(tmp_path / "whole.nc") as whole,
    ):
        xr.testing.assert_identical(
            resumed.drop_vars("wall_time").drop_attrs().load(), whole.drop_vars("wall_time").drop_attrs().load()
        )


def _command(out, n):
    """`-m mpi4py -m eoc simulate …` of the rate model at g = 4 with N = n (for :func:`_mpiexec`)."""
    options = Options(model="rate", g=[4.0], sigma_b=[0.0], N=n, seed=[1], steps=300, transient=50, n_lags=10)
    _python, *arguments = simulate_command(options, out=out)
    return ["-m", "mpi4py", *arguments]


def test_command_line_under_mpiexec(tmp_path):
    out = tmp_path / "mpi.nc"
    done = _mpiexec(2, *_command(out, 9))
    assert done.returncode == 0, done.stderr
    with contract.open_dataset(out) as ds:
        assert ds.attrs["mpi_size"] == 2 and "MPICH" in ds.attrs["mpi_library"]
    too_many = _mpiexec(3, *_command(tmp_path / "never.nc", 2))
    assert too_many.returncode != 0 and "more MPI ranks (3) than units N=2" in too_many.stderr
    assert not (tmp_path / "never.nc").exists()


def _tree(pid: int) -> set[int]:
    """``pid`` and every process descending from it (from /proc)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = set(), [pid]
    while todo:
        tree.add(todo[-1])
        todo += [child for child in parents.get(todo.pop(), []) if child not in tree]
    return tree


def _held_open(pids, folder: Path) -> set[Path]:
    """Files in ``folder`` that the processes ``pids`` hold open."""
    held = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                target = Path(os.readlink(fd))
            except OSError:
                continue
            if target.parent == folder:
                held.add(target)
    return held


def test_a_killed_two_rank_run_leaves_nothing_in_the_temp_folder(tmp_path):
    """mpiexec -n 2 … eoc simulate, started as the workflow starts it (eoc.launcher's environment),
    killed with SIGKILL while the ranks step: no file its processes held in /tmp (MPICH's proxy
    held /tmp/hydra_hwloc_xmlfile_XXXXXX, which outlived every killed run) and no process outlives it."""
    from eoc.launcher import LAUNCHER_ENVIRONMENT

    options = Options(model="rate", g=[4.0], sigma_b=[0.0], N=40, seed=[1], steps=10**6, transient=0, n_lags=10)
    checkpoint = tmp_path / "run.ckpt"
    _python, *arguments = simulate_command(
        options, out=tmp_path / "never.nc", checkpoint=checkpoint, checkpoint_seconds=0
    )
    temp = Path("/tmp")
    before = set(temp.glob("hydra*"))
    process = subprocess.Popen(
        [str(MPIEXEC), "-n", "2", sys.executable, "-m", "mpi4py", *arguments],
        env={**ENV, **LAUNCHER_ENVIRONMENT},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):  # the ranks step once the first checkpoint is written
            if checkpoint.exists() or process.poll() is not None:
                break
            time.sleep(0.2)
        assert process.poll() is None, "the run ended before it could be killed"
        tree = _tree(process.pid)
        assert len(tree) >= 4  # mpiexec, its proxy, two ranks
        held = _held_open(tree, temp)
    finally:
        process.kill()
        process.wait()
    for _ in range(100):  # the proxy and the ranks notice that mpiexec is gone
        alive = {pid for pid in tree if Path(f"/proc/{pid}").exists()}
        if not alive:
            break
        time.sleep(0.1)
    assert not alive, f"processes {sorted(alive)} outlived the killed mpiexec"
    left = {path for path in held if path.exists()}
    assert not left, f"the killed run left {sorted(map(str, left))} in {temp}"
    assert not [p for p in held if p.name.startswith("hydra")]  # the launcher's environment: none written
    # nor any other launcher file that no running process holds (other runs may be under way)
    stale = set(temp.glob("hydra*")) - before - _held_open(_tree(1), temp)
    assert not stale, f"left in {temp}: {sorted(map(str, stale))}"
