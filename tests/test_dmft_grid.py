"""The grid solve and `eoc dmft`: bad input, failures that do not stop the grid, the written file."""

import json

import numpy as np
import pytest

from eoc import InputError, contract
from eoc.cli import main
from eoc.meanfield.rate import fixed_point_boundary, solve, solve_grid

CONTRACT = {
    ("g", "sigma_b"): [
        "C0",
        "C0_static",
        "C_inf",
        "lambda2",
        "lambda2_factorized",
        "tau_inf",
        "lyapunov_max",
        "lyapunov_bound",
        "regime",
        "status",
    ],
    ("g", "sigma_b", "tau"): ["autocorr"],
    ("sigma_b",): ["g_c"],
    ("g", "sigma_b", "C0_trial"): ["f_g"],
}
SMALL = {"tau_max": 5.0, "tau_step": 0.5, "c0_trial_count": 11}


@pytest.mark.parametrize(
    "g, sigma_b, message",
    [
        ([1.0, 0.0], [0.0], "g must be > 0, got 0.0"),
        ([-2], [0.0], "g must be > 0, got -2"),
        ([1.0], [-0.1], "sigma_b must be >= 0, got -0.1"),
        ([float("nan")], [0.0], "g must be finite, got nan"),
        ([1.0], [float("inf")], "sigma_b must be finite, got inf"),
        ([], [0.0], "g must hold at least one value"),
        ([1.0, 2.0, 1.0], [0.0], r"g has repeated values: \[1.0, 2.0, 1.0\]"),
        ([1.0], ["x"], "sigma_b must be a number, got 'x'"),
    ],
)
def test_bad_grid_input_names_the_value(g, sigma_b, message):
    with pytest.raises(InputError, match=message):
        solve_grid(g, sigma_b)


def test_bad_options_and_points_name_the_value():
    with pytest.raises(InputError, match="nodes must be an integer >= 2, got 1"):
        solve_grid([1.0], [0.0], nodes=1)
    with pytest.raises(InputError, match=r"tau_step must be > 0, got -0\.5"):
        solve(1.0, 0.0, tau_step=-0.5)
    with pytest.raises(InputError, match="g must be > 0, got 0"):
        solve(0, 0.1)
    with pytest.raises(TypeError):
        solve_grid([1.0], [0.0], unknown_option=3)


def test_command_line_rejects_bad_input_before_any_work(tmp_path, capsys):
    out = tmp_path / "dmft.nc"
    assert main(["dmft", "--g", "1", "-3", "--sigma-b", "0", "--out", str(out)]) == 2
    assert "eoc dmft: error: g must be > 0, got '-3'" in capsys.readouterr().err
    assert main(["dmft", "--g", "1", "--sigma-b", "0.1", "0.1", "--out", str(out)]) == 2
    assert "sigma_b has repeated values" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["dmft", "--g", "1", "--sigma-b", "0", "--out", str(blocker / "dmft.nc")]) == 2
    assert "cannot be created" in capsys.readouterr().err
    assert not out.exists()


def test_a_point_that_does_not_converge_is_nan_with_status_and_the_grid_goes_on():
    ds = solve_grid([1.0, 3.0], [0.0, 0.5], maxiter=2, **SMALL)
    chaotic = ds.sel(g=3.0, sigma_b=0.0)
    assert chaotic["regime"].item() == "chaotic"
    assert chaotic["status"].item() == "chaotic solution did not converge"
    for name in ("C0", "C_inf", "lambda2", "lyapunov_max", "tau_inf"):
        assert np.isnan(chaotic[name].item())
    assert np.isnan(chaotic["autocorr"]).all()
    assert np.isfinite(chaotic["C0_static"].item())
    fixed = ds.sel(g=1.0, sigma_b=0.5)
    assert fixed["status"].item() == "ok" and np.isfinite(fixed["lyapunov_max"].item())


def test_grid_matches_single_points_and_the_boundary():
    g, sigma_b = [1.5, 2.5, 3.5], [0.0, 0.2]
    ds = solve_grid(g, sigma_b, **SMALL)
    for gi in g:
        for si in sigma_b:
            point = solve(gi, si, **SMALL)
            cell = ds.sel(g=gi, sigma_b=si)
            assert cell["regime"].item() == point.regime
            assert cell["C0"].item() == pytest.approx(point.C0, rel=1e-12)
            assert cell["lyapunov_max"].item() == pytest.approx(point.lyapunov_max, rel=1e-8)
            np.testing.assert_allclose(cell["autocorr"].values, point.autocorr, rtol=1e-10)
            assert (gi > ds["g_c"].sel(sigma_b=si).item()) == (point.regime == "chaotic")
    np.testing.assert_allclose(ds["g_c"].values, fixed_point_boundary(np.array(sigma_b)), rtol=1e-15)
    np.testing.assert_allclose(ds["tau"].values, np.arange(0, 5.01, 0.5))


def test_written_file_follows_the_data_contract(tmp_path):
    out = tmp_path / "results" / "dmft.nc"
    argv = [
        "dmft",
        "--g",
        "1",
        "2.5",
        "--sigma-b",
        "0",
        "0.3",
        "--out",
        str(out),
        "--tau-max",
        "5",
        "--tau-step",
        "0.5",
        "--c0-trial-count",
        "11",
    ]
    assert main(argv) == 0
    assert [p.name for p in out.parent.iterdir()] == ["dmft.nc"]  # no temporary file left
    with contract.open_dataset(out) as ds:
        for dims, names in CONTRACT.items():
            for name in names:
                assert ds[name].dims == dims, name
                assert ds[name].attrs["long_name"], name
                # every number is dimensionless (times in the rate model's time constant): units "1"
                assert ds[name].attrs.get("units") == ("1" if ds[name].dtype.kind == "f" else None), name
        for coordinate in ("g", "sigma_b", "tau", "C0_trial"):
            assert ds[coordinate].attrs["long_name"]
        assert ds.attrs["Conventions"] == "CF-1.10" and ds.attrs["title"] and ds.attrs["history"]
        assert set(ds["regime"].values.ravel()) <= {"fixed_point", "chaotic"}
        assert (ds["status"] == "ok").all()
        for attribute in ("eoc_version", "git_revision", "config", "host", "created_utc", "mpi_size"):
            assert attribute in ds.attrs
        config = json.loads(ds.attrs["config"])
        assert config["g"] == [1.0, 2.5] and config["tau_max"] == 5.0
        np.testing.assert_allclose(ds["f_g"].sel(C0_trial=0.0).values, 4 * ds["sigma_b"].values ** 2 * np.ones((2, 1)))
        assert ds["C0"].sel(g=2.5, sigma_b=0.0).item() > 0


def test_refused_input_creates_no_output_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["dmft", "--g", "0", "--sigma-b", "0", "--out", "new/d.nc"]) == 2
    assert "g must be > 0, got '0'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
