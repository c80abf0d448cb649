"""The sweep's gate-bias means: the forget gate's mean is a grid key (mu_f, one LSTM job per value,
in the paths and the merged file), the other gates' means (simulate.bias_means) are fixed for a
sweep; both reach the LSTM jobs only."""

import re

import pytest
from test_workflow import REPO, _merged, config_file, job_counts, snakemake


def commands(result) -> list[str]:
    return [line for line in (result.stdout + result.stderr).splitlines() if "eoc simulate" in line]


def test_bias_means_reach_the_lstm_jobs_only(tmp_path):
    config = config_file(tmp_path, mu_f=[0.0, 1.0], simulate={"bias_means": {"c": 0.5}})
    result = snakemake("results/merged/simulations.nc", "-n", "-p", "--configfile", config, workdir=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    lstm = [c for c in commands(result) if "--model lstm" in c]
    rate = [c for c in commands(result) if "--model rate" in c]
    assert len(lstm) == 4 and len(rate) == 2  # 2 g x 2 mu_f for the LSTM, mu_f = 0 only for the rate model
    assert all("--bias-mean" not in c for c in rate) and all("--bias-mean c=0.5" in c for c in lstm)
    assert sum("--bias-mean f=1.0" in c for c in lstm) == 2 and sum("--bias-mean f=" in c for c in lstm) == 2
    assert all(re.search(r"_muf1\.nc|_muf0\.nc", c) for c in lstm + rate)
    assert all("_muf0.nc" in c for c in rate)
    merge = [line for line in (result.stdout + result.stderr).splitlines() if "eoc merge simulations" in line]
    assert merge and "--expect mu_f=0.0,1.0" in merge[0]


@pytest.mark.parametrize(
    "changes, fragment",
    [
        ({"simulate": {"bias_means": {"forget": 1.0}}}, "forget"),
        ({"simulate": {"bias_means": {"f": 1.0}}}, "'f' was unexpected"),  # the forget gate's mean is mu_f
        ({"mu_f": [1.0, 1.00000000001]}, "mu_f has values that are equal once written canonically"),
        ({"mu_f": []}, "should be non-empty"),
    ],
)
def test_bad_bias_mean_stops_the_sweep(tmp_path, changes, fragment):
    config = config_file(tmp_path, **changes)
    result = snakemake("-n", "--configfile", config, workdir=tmp_path)
    assert result.returncode != 0 and fragment in result.stdout + result.stderr


def test_the_lstm_phase_config_is_valid(tmp_path):
    """config/lstm-phase.yaml (merged over config.yaml): one LSTM job per (mu_f, N), no rate model."""
    result = snakemake("-n", "--configfile", REPO / "config" / "lstm-phase.yaml", workdir=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert job_counts(result.stdout)["simulate"] == 2 * 3


@pytest.mark.workflow
def test_a_sweep_over_two_forget_means_merges_into_one_file(tmp_path):
    config = config_file(tmp_path, models=["lstm", "rate"], g=[3.0], mu_f=[0.0, 1.0])
    result = snakemake(
        "results/merged/simulations.nc",
        "--profile",
        REPO / "profiles" / "local",
        "--configfile",
        config,
        workdir=tmp_path,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    sims = _merged(tmp_path, "simulations")
    assert sims.mu_f.values.tolist() == [0.0, 1.0] and sims.mu_f.attrs["units"] == "1"
    assert (sims.status.sel(model="rate", mu_f=1.0) == "not_applicable").all()
    assert sims.attrs["missing_cells"] == "[]"
    lstm = sims.lyapunov_max.sel(model="lstm")
    assert lstm.notnull().all() and float(abs(lstm.sel(mu_f=1.0) - lstm.sel(mu_f=0.0)).max()) > 1e-6
