"""`eoc forecast run|merge|figure` end to end on a tiny grid, and its input checks."""

import numpy as np
import pytest
import xarray as xr

from eoc.cli import main
from eoc.errors import InputError
from eoc.forecast.job import ForecastOptions

TINY = [
    "--N",
    "16",
    "--g",
    "0.5",
    "2.5",
    "--sigma-b",
    "0",
    "0.5",
    "--washout",
    "20",
    "--train",
    "120",
    "--test",
    "40",
    "--horizon",
    "5",
    "--starts",
    "2",
]


def test_run_merge_and_figure(tmp_path):
    files = []
    for seed in (0, 1):
        path = tmp_path / f"seed{seed}.nc"
        assert main(["forecast", "run", "--system", "lorenz63", "--seed", str(seed), *TINY, "--out", str(path)]) == 0
        files.append(str(path))
    with xr.open_dataset(files[0]) as ds:
        assert ds["nrmse_one_step"].dims == ("g", "sigma_b")
        assert ds["nrmse_one_step"].attrs["units"] == "1" and "long_name" in ds["nrmse_free_run"].attrs
        assert "git_revision" in ds.attrs and "config" in ds.attrs
    merged = tmp_path / "forecast.nc"
    assert main(["forecast", "merge", "--out", str(merged), *files]) == 0
    with xr.open_dataset(merged) as ds:
        assert ds["nrmse_one_step"].dims == ("system", "g", "sigma_b", "N", "seed")
        assert ds.sizes["seed"] == 2 and np.isfinite(ds["nrmse_one_step"]).all()
    assert main(["forecast", "figure", "--forecast", str(merged), "--outdir", str(tmp_path / "fig")]) == 0
    assert (tmp_path / "fig" / "forecast_nrmse.png").stat().st_size > 0


def test_bad_values_are_named_before_any_work(tmp_path, capsys):
    assert (
        main(
            [
                "forecast",
                "run",
                "--system",
                "lorenz63",
                "--seed",
                "0",
                *TINY[:-4],
                "--horizon",
                "500",
                "--out",
                str(tmp_path / "x.nc"),
            ]
        )
        == 2
    )
    assert "horizon 500" in capsys.readouterr().err
    with pytest.raises(InputError, match="bias mean"):
        ForecastOptions.checked(system="lorenz63", g=[1], sigma_b=[0], N=10, seed=0, bias_means={"x": 1.0})
    with pytest.raises(InputError, match="system"):
        ForecastOptions.checked(system="henon", g=[1], sigma_b=[0], N=10, seed=0)


def test_workflow_fans_out_one_job_per_system_size_and_seed(tmp_path):
    """`snakemake forecasting` (dry run) on a forecast grid of 2 systems x 2 N x 3 seeds."""
    from test_workflow import config_file, job_counts, snakemake

    grid = {
        "systems": ["lorenz63", "mackey_glass"],
        "g": [0.5, 2.5],
        "sigma_b": [0.0],
        "N": [20, 40],
        "seeds": [0, 1, 2],
        "train": 200,
        "test": 60,
        "horizon": 10,
        "starts": 2,
        "washout": 50,
    }
    config = config_file(tmp_path, forecast=grid)
    result = snakemake("forecasting", "-n", "--configfile", config, workdir=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert {rule: n for rule, n in job_counts(result.stdout).items() if "forecast" in rule} == dict(
        forecast=12, merge_forecast=1, forecast_figure=1, forecasting=1
    )
