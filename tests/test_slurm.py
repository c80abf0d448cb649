"""The pipeline on a real Slurm: a single-node cluster on localhost, the tiny sweep through
`snakemake --profile slurm` (the profile linked by profiles/install, as a user would), the merged
files checked, and every MPI job's COMM_WORLD size checked against the tasks it asked for.

Needs root and apt (Debian 12). In CI (CI=true) a cluster that cannot be set up is a failure;
elsewhere the test is skipped with the reason."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr
import yaml

from eoc.contract import open_dmft, open_simulations

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SCRIPTS = REPO / "tests" / "slurm"
TINY = REPO / "config" / "test.yaml"

pytestmark = pytest.mark.slurm


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must run the Slurm test, but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A running single-node Slurm; its daemons are stopped by PID afterwards."""
    if os.geteuid() != 0:
        _unavailable("starting Slurm daemons needs root")
    if shutil.which("slurmctld") is None and shutil.which("apt-get") is None:
        _unavailable("Slurm is not installed and apt-get is not available to install it")
    if (
        Path("/etc/slurm/slurm.conf").exists()
        and "eoc tests/slurm/setup.sh" not in Path("/etc/slurm/slurm.conf").read_text()
    ):
        _unavailable("this machine has its own Slurm configuration (/etc/slurm/slurm.conf); not touching it")
    state = tmp_path_factory.mktemp("slurm-state")
    try:
        setup = subprocess.run(
            ["timeout", "-k", "10", "240", "bash", str(SCRIPTS / "setup.sh"), str(state)],
            capture_output=True,
            text=True,
        )
        if setup.returncode != 0:
            _unavailable(f"the cluster could not be set up:\n{setup.stderr[-3000:]}")
        yield state
    finally:
        subprocess.run(["bash", str(SCRIPTS / "teardown.sh"), str(state)], check=False)


def test_tiny_sweep_on_slurm(cluster, tmp_path):
    home = tmp_path / "config-home"
    env = os.environ | {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "XDG_CONFIG_HOME": str(home)}
    subprocess.run([str(REPO / "profiles" / "install")], check=True, env=env, capture_output=True)
    assert (home / "snakemake" / "slurm").resolve() == REPO / "profiles" / "slurm"
    work = tmp_path / "run"
    work.mkdir()
    # as documented: `snakemake --profile slurm`, here on the tiny sweep in a scratch folder
    command = [
        "timeout",
        "-k",
        "10",
        "280",
        str(BIN / "snakemake"),
        "-s",
        str(REPO / "Snakefile"),
        "-d",
        str(work),
        "results/merged/simulations.nc",
        "results/merged/dmft.nc",
        "--profile",
        "slurm",
        "--configfile",
        str(TINY),
    ]
    run = subprocess.run(command, capture_output=True, text=True, env=env, cwd=work)
    report = (
        run.stderr[-4000:]
        + "\n"
        + "\n".join(f"--- {p}\n{p.read_text()[-1500:]}" for p in sorted(work.glob(".snakemake/slurm_logs/**/*.log")))
    )
    assert run.returncode == 0, report
    assert "has been submitted with SLURM jobid" in run.stderr  # the jobs really went through sbatch

    tiny = yaml.safe_load(TINY.read_text())
    tasks = tiny["simulate"]["tasks"]["min"]
    results = sorted((work / "results" / "sim").rglob("*.nc"))
    assert len(results) == len(tiny["models"]) * len(tiny["g"]) * len(tiny["sigma_b"])
    for path in results:
        with xr.open_dataset(path) as job:
            assert job.attrs["mpi_size"] == tasks, f"{path}: COMM_WORLD.size {job.attrs['mpi_size']} != {tasks} tasks"

    with open_simulations(work / "results" / "merged" / "simulations.nc") as sims:
        assert json.loads(sims.attrs["missing_cells"]) == []
        assert (sims.mpi_size == tasks).all()
        assert sims.g.values.tolist() == tiny["g"] and sims.model.values.tolist() == tiny["models"]
    with open_dmft(work / "results" / "merged" / "dmft.nc") as dmft:
        assert json.loads(dmft.attrs["missing_cells"]) == []
        assert dmft.sigma_b.values.tolist() == tiny["dmft"]["sigma_b"]
