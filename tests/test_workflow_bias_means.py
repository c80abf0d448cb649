"""The sweep passes the LSTM's gate-bias means (config simulate.bias_means) to the LSTM jobs only."""

from test_workflow import config_file, snakemake


def test_bias_means_reach_the_lstm_jobs_only(tmp_path):
    config = config_file(tmp_path, simulate={"bias_means": {"f": 1.0}})
    result = snakemake("results/merged/simulations.nc", "-n", "-p", "--configfile", config, workdir=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    commands = [line for line in (result.stdout + result.stderr).splitlines() if "eoc simulate" in line]
    assert commands and all(("--bias-mean f=1.0" in c) == ("--model lstm" in c) for c in commands)
    assert any("--model rate" in c for c in commands)


def test_bad_bias_mean_key_stops_the_sweep(tmp_path):
    config = config_file(tmp_path, simulate={"bias_means": {"forget": 1.0}})
    result = snakemake("-n", "--configfile", config, workdir=tmp_path)
    assert result.returncode != 0 and "forget" in result.stdout + result.stderr
