"""The Snakemake pipeline: lint and format, the conda environment, dry-runs and their job counts,
bad configurations, and end-to-end runs of a tiny sweep through profiles/local."""

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

from eoc.contract import open_dataset, open_dmft, open_simulations
from eoc.figures import FIGURES
from eoc.status import RUN

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TINY = REPO / "config" / "test.yaml"
RULE_FILES = ["Snakefile", *sorted(str(p.relative_to(REPO)) for p in (REPO / "workflow" / "rules").glob("*.smk"))]


def snakemake(*args, workdir, timeout=300):
    """Run Snakemake on this repository's Snakefile in ``workdir`` (a hang fails after ``timeout``)."""
    command = [
        "timeout",
        "-k",
        "10",
        str(timeout),
        str(BIN / "snakemake"),
        "-s",
        str(REPO / "Snakefile"),
        "-d",
        str(workdir),
        *map(str, args),
    ]
    env = os.environ | {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=workdir, preexec_fn=lambda: os.umask(0o022)
    )  # the usual umask, whatever the caller's


def cf_errors(path) -> str:
    """The CF checker's report on ``path`` (tests/cf/cfcheck.py); "" when it finds no error."""
    done = subprocess.run(
        [sys.executable, str(REPO / "tests" / "cf" / "cfcheck.py"), str(path)], capture_output=True, text=True
    )
    report = done.stdout + done.stderr
    assert "ERRORS detected:" in report, report
    return "" if "ERRORS detected: 0" in report else report  # exit status: -(warnings) without errors


def config_file(folder, name="config.yaml", base=TINY, **changes):
    """A configuration: ``base`` with top-level keys replaced (nested dicts updated)."""
    config = yaml.safe_load(Path(base).read_text())
    for key, value in changes.items():
        config[key] = config[key] | value if isinstance(value, dict) and key in config else value
    path = Path(folder) / name
    path.write_text(yaml.safe_dump(config))
    return path


def job_counts(output: str) -> dict[str, int]:
    """The "Job stats" table that Snakemake prints before running (or dry-running) a DAG."""
    table = output.split("Job stats:", 1)[1].split("\n\n", 1)[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.M) if m[1] != "total"}


def test_lint_reports_nothing(tmp_path):
    result = snakemake("--lint", workdir=tmp_path)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "Lints for" not in output and "Congratulations, your workflow is in a good condition!" in output, output


def test_snakemake_files_are_formatted_with_snakefmt():
    result = subprocess.run([str(BIN / "snakefmt"), "--check", *RULE_FILES], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr


def test_conda_environment_matches_pyproject():
    """Same packages and the same version ranges (a conda spec "numpy >=1.26,<3" is the pip
    requirement "numpy>=1.26,<3"), Python included."""
    from packaging.requirements import Requirement

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = {Requirement(d).name.lower().replace("_", "-"): Requirement(d).specifier for d in project["dependencies"]}
    wanted["python"] = Requirement("python" + project["requires-python"]).specifier
    env = yaml.safe_load((REPO / "envs" / "eoc.yaml").read_text())
    pinned = {}
    for spec in env["dependencies"]:
        if isinstance(spec, str) and spec != "pip":
            requirement = Requirement(spec.replace(" ", "", 1) if " " in spec else spec)
            pinned[requirement.name.lower().replace("_", "-")] = requirement.specifier
    assert pinned == wanted
    post_deploy = REPO / "envs" / "eoc.post-deploy.sh"
    assert os.access(post_deploy, os.X_OK) and "pip install" in post_deploy.read_text()


@pytest.mark.parametrize(
    "base, changes, counts",
    [
        # 2 models x 1 N x 1 seed x 2 g x 1 sigma_b, one job per cell; 2 DMFT blocks of sigma_b
        (TINY, {}, dict(simulate=4, dmft=2, result_list=2, merge_simulations=1, merge_dmft=1)),
        # batched: one job per (model, N, seed) for all of g and sigma_b
        (TINY, {"simulate": {"batch": {"g": 2, "sigma_b": 1}}}, dict(simulate=2, dmft=2)),
        # default grid: 2 models x 3 N, the 3 seeds, 6 g and 2 sigma_b in one job each; 6 sigma_b / 3
        (REPO / "config" / "config.yaml", {}, dict(simulate=6, dmft=2, merge_simulations=1, merge_dmft=1)),
        # blocks of seeds: 2 models x 1 N x 2 g x [0, 1] [2] seed blocks
        (TINY, {"seeds": [0, 1, 2], "simulate": {"batch": {"g": 1, "sigma_b": 1, "seeds": 2}}}, dict(simulate=8)),
        (TINY, {"g": [1.0, 1.5, 2.0, 2.5, 3.0], "simulate": {"batch": {"g": 2, "sigma_b": 1}}}, dict(simulate=6)),
        # batch.job_minutes: a small network's job takes all three seeds (2 models x 1 N x 2 g)
        (TINY, {"seeds": [0, 1, 2], "simulate": {"batch": {"g": 1, "sigma_b": 1, "job_minutes": 60}}}, {"simulate": 4}),
        # two forget-gate bias means: the LSTM's 2 g x 2 mu_f jobs, the rate model's 2 at mu_f = 0 only
        (TINY, {"mu_f": [0.0, 1.0]}, dict(simulate=6, merge_simulations=1)),
        # no mu_f = 0: no rate-model job at all (its cells are not_applicable)
        (TINY, {"mu_f": [-0.5, 1.0]}, dict(simulate=4)),
    ],
)
def test_dry_run_job_counts(tmp_path, base, changes, counts):
    config = config_file(tmp_path, base=base, **changes)
    result = snakemake(
        "results/merged/simulations.nc", "results/merged/dmft.nc", "-n", "--configfile", config, workdir=tmp_path
    )
    assert result.returncode == 0, result.stderr
    found = job_counts(result.stdout)
    assert {rule: found.get(rule, 0) for rule in counts} == counts
    assert not (tmp_path / "results").exists()


def test_run_length_per_model_reaches_each_models_jobs(tmp_path):
    config = config_file(tmp_path, simulate={"steps": {"lstm": 123, "rate": 456}, "transient": {"lstm": 7, "rate": 9}})
    result = snakemake("results/merged/simulations.nc", "-n", "-p", "--configfile", config, workdir=tmp_path)
    assert result.returncode == 0, result.stderr
    commands = [line for line in result.stdout.splitlines() if "eoc simulate" in line]
    lstm = [line for line in commands if "--model lstm" in line]
    rate = [line for line in commands if "--model rate" in line]
    assert lstm and rate
    assert all("--steps 123 --transient 7 " in line for line in lstm)
    assert all("--steps 456 --transient 9 " in line for line in rate)


def test_adaptive_run_length_reaches_the_command_line_and_the_time_limit(tmp_path):
    def runtimes(result):  # of the simulate jobs
        blocks = [b for b in result.stdout.split("\n\n") if re.search(r"^(local)?rule simulate:", b, re.M)]
        return [int(m[1]) for block in blocks for m in re.finditer(r"\bruntime=(\d+)", block)]

    fixed = snakemake("results/merged/simulations.nc", "-n", "-p", "--configfile", TINY, workdir=tmp_path)
    config = config_file(tmp_path, simulate={"target_stderr": {"lstm": 0.01, "rate": 0.003}, "max_steps": 200_000})
    adaptive = snakemake("results/merged/simulations.nc", "-n", "-p", "--configfile", config, workdir=tmp_path)
    assert fixed.returncode == 0 and adaptive.returncode == 0, fixed.stderr + adaptive.stderr
    commands = [line for line in adaptive.stdout.splitlines() if "eoc simulate" in line]
    assert commands and all("--max-steps 200000" in line for line in commands)
    # started so that MPICH's launcher leaves no topology file in /tmp when the job is killed
    assert all("HWLOC_XMLFILE='' mpiexec -n 2 " in line for line in commands)
    assert all("--target-stderr 0.01 " in line for line in commands if "--model lstm" in line)
    assert all("--target-stderr 0.003 " in line for line in commands if "--model rate" in line)
    assert "--target-stderr" not in fixed.stdout
    # the time limit is sized for the step limit (2 ms a step: 200 000 steps are 13 more minutes)
    assert len(runtimes(fixed)) == 4 and min(runtimes(adaptive)) > max(runtimes(fixed)) + 10


@pytest.mark.parametrize(
    "base, jobs",
    [
        # sigma_b 0, 0.5 in one block of 2 (the cheap points of the default grid)
        (REPO / "config" / "config.yaml", 1),
        # the paper: 8 sigma_b values, one per job
        (REPO / "config" / "paper.yaml", 8),
    ],
)
def test_dry_run_of_the_lstm_mean_field(tmp_path, base, jobs):
    config = config_file(tmp_path, base=base)
    result = snakemake("results/merged/dmft_lstm.nc", "-n", "--configfile", config, workdir=tmp_path)
    assert result.returncode == 0, result.stderr
    found = job_counts(result.stdout)
    assert {rule: found.get(rule, 0) for rule in ("dmft_lstm", "merge_dmft_lstm")} == dict(
        dmft_lstm=jobs, merge_dmft_lstm=1
    )


def test_paper_grid_is_valid_and_sized_for_a_cluster(tmp_path):
    paper = yaml.safe_load((REPO / "config" / "paper.yaml").read_text())
    assert max(paper["N"]) >= 16384 and len(paper["seeds"]) >= 10
    result = snakemake("-n", "-p", "--configfile", REPO / "config" / "paper.yaml", workdir=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    seeds_per_job = {}  # (model, N) -> sizes of the seed blocks of its jobs
    for found in re.finditer(r"--model (\w+) --N (\d+) --seed ([\d ]+?) --g", result.stdout):
        seeds_per_job.setdefault((found[1], int(found[2])), []).append(len(found[3].split()))
    blocks = -(-len(paper["g"]) // paper["simulate"]["batch"]["g"]) * -(
        -len(paper["sigma_b"]) // paper["simulate"]["batch"]["sigma_b"]
    )
    assert sorted(seeds_per_job) == sorted((model, N) for model in paper["models"] for N in paper["N"])
    for (model, N), sizes in seeds_per_job.items():
        # every (g, sigma_b) block of every seed exactly once
        assert sum(sizes) == blocks * len(paper["seeds"]), (model, N)
    # batch.job_minutes: the largest networks one seed per job, the smallest several
    assert set(seeds_per_job["lstm", max(paper["N"])]) == {1}
    assert min(seeds_per_job["lstm", min(paper["N"])]) > 1
    assert job_counts(result.stdout)["simulate"] == sum(map(len, seeds_per_job.values()))


@pytest.mark.parametrize(
    "changes, fragments",
    [
        ({"models": ["lstm", "gru"]}, ["models must be one of 'lstm', 'rate'; got 'gru'"]),
        ({"sigma_b": [0.0, -0.1]}, ["-0.1 is less than the minimum of 0", "sigma_b"]),
        ({"g": [0, 2.0]}, ["0 is less than or equal to the minimum of 0", "'g'"]),
        ({"dmft": {"g": [-1.0]}}, ["-1.0 is less than or equal to the minimum of 0", "dmft"]),
        (
            {"N": [3], "simulate": {"tasks": {"min": 4, "max": 4, "mb_per_task": 256}}},
            ["N=3", "more MPI ranks (4) than units N=3"],
        ),
        ({"seeds": []}, ["[] should be non-empty", "seeds"]),
        ({"simulate": {"step": 100}}, ["Additional properties are not allowed ('step' was unexpected)", "simulate"]),
        ({"sigma_b_values": [0.1]}, ["'sigma_b_values' was unexpected"]),
        ({"N": ["64"]}, ["'64' is not of type 'integer'", "N"]),
        ({"require_complete": "yes"}, ["'yes' is not of type 'boolean'", "require_complete"]),
        ({"g": [0.3, 0.30000000000000004]}, ["g has values that are equal once written canonically: ['0.3']"]),
        ({"simulate": {"n_lags": 500}}, ["n_lags=500 needs at least 1000"]),
        ({"dmft": {"g": [1.0, float("inf")]}}, ["config.dmft.g[1] must be a finite number, got inf"]),
        ({"dmft": {"sigma_b": [float("nan")]}}, ["config.dmft.sigma_b[0] must be a finite number, got nan"]),
        ({"N": [64.0]}, ["config.N[0] must be an integer", "64.0"]),
        ({"N": [1000000]}, ["N=1000000 on 2 rank(s) in float64 needs about", "MiB are available"]),
        ({"simulate": {"steps": 10**12}}, ["needs about", "samples", "MiB are available"]),
        ({"simulate": {"steps": {"lstm": 100, "rate": 100, "gru": 5}}}, ["simulate.steps names unknown model(s) gru"]),
        ({"simulate": {"transient": {"lstm": 10.0, "rate": 5}}}, ["config.simulate.transient.lstm must be an integer"]),
        ({"simulate": {"target_stderr": 0.01}}, ["'max_steps' is a dependency of 'target_stderr'"]),
        ({"simulate": {"target_stderr": 0.01, "max_steps": 100}}, ["max_steps=100 is below steps=200"]),
        ({"simulate": {"target_stderr": -1, "max_steps": 1000}}, ["-1 is not valid under any of the given schemas"]),
    ],
)
def test_bad_config_stops_before_any_job_and_names_key_and_value(tmp_path, changes, fragments):
    config = config_file(tmp_path, **changes)
    result = snakemake("--cores", 1, "--configfile", config, workdir=tmp_path, timeout=120)
    assert result.returncode != 0
    message = result.stdout + result.stderr
    for fragment in fragments:
        assert fragment in message, message[-3000:]
    assert not (tmp_path / "results").exists() and not (tmp_path / "logs").exists()


def _merged(folder, name):
    return (open_simulations if name == "simulations" else open_dmft)(folder / "results" / "merged" / f"{name}.nc")


@pytest.mark.workflow
def test_tiny_sweep_runs_locally_end_to_end(tmp_path):
    result = snakemake(
        "results/merged/simulations.nc",
        "results/merged/dmft.nc",
        "results/merged/dmft_lstm.nc",
        "--profile",
        REPO / "profiles" / "local",
        "--configfile",
        TINY,
        workdir=tmp_path,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert job_counts(result.stderr) == dict(
        simulate=4, dmft=2, dmft_lstm=1, result_list=3, merge_simulations=1, merge_dmft=1, merge_dmft_lstm=1
    )
    tiny = yaml.safe_load(TINY.read_text())
    results = sorted((tmp_path / "results" / "sim").rglob("*.nc")) + sorted(
        (tmp_path / "results" / "dmft").rglob("*.nc")
    )
    assert len(results) == 6 and not any("eoc_failed_job" in open_dataset(p).attrs for p in results)

    sims = _merged(tmp_path, "simulations")
    assert {d: sims[d].values.tolist() for d in ("model", "g", "sigma_b", "mu_f", "N", "seed")} == {
        "model": tiny["models"],
        "g": tiny["g"],
        "sigma_b": tiny["sigma_b"],
        "mu_f": [0.0],  # the default: zero bias means only
        "N": tiny["N"],
        "seed": tiny["seeds"],
    }
    assert json.loads(sims.attrs["missing_cells"]) == []
    assert set(sims.status.values.ravel()) <= set(RUN)
    assert np.isfinite(sims.lyapunov_max).all() and sims.autocorr.dims[-1] == "lag"
    assert (sims.mpi_size == tiny["simulate"]["tasks"]["min"]).all()  # every job ran on its ranks
    for name in ("lyapunov_max", "C0", "autocorr"):
        assert {"units", "long_name"} <= set(sims[name].attrs)
    assert sims.lyapunov_max.sel(model="rate").time_unit.item() == "t"  # the rate model's unit of time
    assert {"eoc_version", "git_revision", "git_tree_dirty", "config", "host", "created_utc"} <= set(sims.attrs)
    job = json.loads(sims.job_config.values[sims.cell_job.sel(model="rate", g=3.0).item()])
    assert (job["steps"], job["transient"], job["k"]) == (
        tiny["simulate"]["steps"],
        tiny["simulate"]["transient"],
        tiny["simulate"]["k"],
    )

    dmft = _merged(tmp_path, "dmft")
    assert dmft.g.values.tolist() == tiny["dmft"]["g"] and dmft.sigma_b.values.tolist() == tiny["dmft"]["sigma_b"]
    assert json.loads(dmft.attrs["missing_cells"]) == []
    # the DMFT's fixed-point boundary at sigma_b = 0 is the linear-stability value g_c = 2
    assert dmft.g_c.sel(sigma_b=0.0).item() == pytest.approx(2.0, abs=1e-6)

    # the LSTM's mean field (config dmft_lstm): every cheap point solved, on the configured grid
    lstm = open_dataset(tmp_path / "results" / "merged" / "dmft_lstm.nc")
    assert (
        lstm.g.values.tolist() == tiny["dmft_lstm"]["g"]
        and lstm.sigma_b.values.tolist() == tiny["dmft_lstm"]["sigma_b"]
    )
    # every cheap point solved; with 2 replicas of 2 averaged iterations the lag-window check is
    # noisy and may flag a point, which the status then says
    assert json.loads(lstm.attrs["missing_cells"]) == [] and np.isfinite(lstm.C0).all()
    assert all(s == "ok" or s.startswith("lag window too short") for s in lstm.status.values.ravel())
    # CF-1.10: no error from the CF checker on the merged files and a per-job DMFT file
    for path in ("merged/simulations.nc", "merged/dmft.nc", "merged/dmft_lstm.nc", "dmft/sb0.nc"):
        assert cf_errors(tmp_path / "results" / path) == "", path
    # readable as the umask (022) says, results and figures alike
    for path in (*results, tmp_path / "results/merged/simulations.nc"):
        assert path.stat().st_mode & 0o777 == 0o644, path

    # Snakemake tracks the per-job results: --summary lists them, a deleted one is rerun
    summary = snakemake("--summary", "--configfile", TINY, workdir=tmp_path, timeout=120)
    assert summary.returncode == 0, summary.stderr[-3000:]
    assert "results/sim/rate/N16/seed0/g3_sb0_muf0.nc" in summary.stdout and "results/dmft/sb0.5.nc" in summary.stdout
    (tmp_path / "results/sim/rate/N16/seed0/g3_sb0_muf0.nc").unlink()
    dry = snakemake("-n", "--configfile", TINY, workdir=tmp_path, timeout=120)  # the default target
    assert dry.returncode == 0 and job_counts(dry.stdout + dry.stderr) == dict(
        simulate=1, merge_simulations=1, figures=1, all=1
    ), dry.stdout[-3000:]
    deleting = snakemake("--delete-all-output", "-n", "--configfile", TINY, workdir=tmp_path, timeout=120)
    assert "results/sim/lstm/N16/seed0/g1_sb0_muf0.nc" in deleting.stdout + deleting.stderr

    # the default target adds the figures (and reruns the deleted job); then the report holds every
    # figure with its caption
    result = snakemake("--profile", REPO / "profiles" / "local", "--configfile", TINY, workdir=tmp_path, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    assert job_counts(result.stderr) == dict(simulate=1, merge_simulations=1, figures=1, all=1)
    assert (tmp_path / "results/sim/rate/N16/seed0/g3_sb0_muf0.nc").is_file()
    result = snakemake("--configfile", TINY, "--report", "report.html", workdir=tmp_path, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    report = (tmp_path / "report.html").read_text(errors="replace")
    for name in FIGURES:
        assert (tmp_path / "results" / "figures" / f"{name}.pdf").stat().st_size > 0
        assert f"{name}.png" in report
        assert (tmp_path / "results" / "figures" / f"{name}.png").stat().st_mode & 0o777 == 0o644

    # the example notebook (a jupytext script) runs on the merged files
    notebook = subprocess.run(
        [sys.executable, str(REPO / "docs" / "analysis_example.py")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        env=os.environ | {"EOC_MERGED": str(tmp_path / "results" / "merged"), "EOC_OUTPUT": str(tmp_path / "notebook")},
    )
    assert notebook.returncode == 0, notebook.stderr[-3000:]
    assert "rate: lyapunov_max per t" in notebook.stdout
    for name in ("finite_size_scaling", "lyapunov_vs_lambda2", "finite_size_by_hand", "lyapunov_vs_lambda2_by_hand"):
        assert (tmp_path / "notebook" / f"{name}.png").stat().st_size > 0


@pytest.mark.workflow
def test_batched_and_single_jobs_give_the_same_merged_file(tmp_path):
    grid = dict(models=["lstm"], g=[1.0, 3.0], sigma_b=[0.0, 0.5])
    merged = {}
    for batch, jobs in (({"g": 1, "sigma_b": 1}, 4), ({"g": 2, "sigma_b": 2}, 1)):
        folder = tmp_path / f"batch{jobs}"
        folder.mkdir()
        config = config_file(folder, simulate={"batch": batch}, **grid)
        result = snakemake(
            "results/merged/simulations.nc",
            "--profile",
            REPO / "profiles" / "local",
            "--configfile",
            config,
            workdir=folder,
            timeout=240,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert job_counts(result.stderr)["simulate"] == jobs
        sims = _merged(folder, "simulations")
        provenance = ["wall_time", "cell_job", *(name for name in sims.data_vars if name.startswith("job_"))]
        merged[jobs] = sims.drop_vars(provenance).drop_attrs(deep=False)
    single, batched = merged[4], merged[1]
    assert (single.status == batched.status).all()
    xr.testing.assert_allclose(single, batched, rtol=1e-9, atol=1e-12)


FAILING_LAUNCHER = """#!/usr/bin/env bash
# mpiexec, except that the simulation at g = 3 fails (a stand-in for a crashed job)
case " $* " in *" --g 3 "*) echo "injected failure" >&2; exit 3;; esac
exec mpiexec "$@"
"""


@pytest.mark.workflow
def test_a_failed_job_is_recorded_and_merged_as_missing(tmp_path):
    launcher = tmp_path / "failing-mpiexec"
    launcher.write_text(FAILING_LAUNCHER)
    launcher.chmod(0o755)
    config = config_file(tmp_path, models=["lstm"])
    target = "results/merged/simulations.nc"
    result = snakemake(
        target,
        "--profile",
        REPO / "profiles" / "local",
        "--configfile",
        config,
        "--set-resources",
        f"simulate:mpi={launcher}",
        workdir=tmp_path,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    failed = open_dataset(tmp_path / "results/sim/lstm/N16/seed0/g3_sb0_muf0.nc")  # the failure record
    assert failed.attrs["eoc_failed_job"] == "exit 3, see logs/sim/lstm/N16/seed0/g3_sb0_muf0.log"
    assert "injected failure" in (tmp_path / "logs/sim/lstm/N16/seed0/g3_sb0_muf0.log").read_text()
    sims = _merged(tmp_path, "simulations")
    lost = dict(model="lstm", g=3.0, sigma_b=0.0, N=16, seed=0)
    listed = json.loads(sims.attrs["missing_cells"])
    assert [{k: v for k, v in cell.items() if k in lost} for cell in listed] == [lost]
    assert listed[0]["status"] == "missing" and "the job failed: exit 3" in listed[0]["reason"]
    assert sims.status.sel(lost).item() == "missing" and np.isnan(sims.lyapunov_max.sel(lost))
    assert sims.status.sel(g=1.0).item() != "missing"
    assert "1 of 2 cells are missing" in (tmp_path / "logs/merged/simulations.log").read_text()

    strict = snakemake(
        target,
        "--profile",
        REPO / "profiles" / "local",
        "--configfile",
        config,
        "--set-resources",
        f"simulate:mpi={launcher}",
        "--config",
        "require_complete=True",
        workdir=tmp_path,
        timeout=240,
    )
    assert strict.returncode != 0
    assert (
        "1 expected cells have no result: {'model': 'lstm', 'g': 3.0"
        in (tmp_path / "logs/merged/simulations.log").read_text()
    )
