"""The merge of per-job files (eoc.merge): batched = one-by-one, missing cells, DMFT blocks, CLI."""

import json

import numpy as np
import pytest
import xarray as xr

from eoc import InputError, io
from eoc.cli import main
from eoc.meanfield.rate import solve_grid
from eoc.merge import MISSING, IncompleteGridError, merge_dmft, merge_simulations

DIMS = ("model", "g", "sigma_b", "N", "seed")
GRID = dict(model=["lstm", "rate"], g=[1.0, 2.5], sigma_b=[0.0, 0.3, 0.6], N=[16], seed=[0, 1])


def job_file(path, model, g, sigma_b, N, seed, *, mpi_size=2):
    """A per-job file of the data contract (docs/interfaces.md) whose values encode the cell, so
    that a value in the wrong place after the merge shows up: lyapunov_max = g - 2 + sigma_b."""
    g, sigma_b = np.atleast_1d(g), np.atleast_1d(sigma_b)
    cell = (g[:, None] - 2 + sigma_b[None, :])[None, :, :, None, None] + 0.01 * seed
    lags = np.arange(4.0)
    ds = xr.Dataset(
        {
            "lyapunov_max": (DIMS, cell),
            "autocorr": (DIMS + ("lag",), cell[..., None] * np.exp(-lags)),
            "gate_mean": (DIMS + ("gate",), np.repeat(cell[..., None], 3, axis=-1) + 0.5),
            "status": (DIMS, np.where(cell > 0, "ok", "fixed_point")),
            "status_step": (DIMS, np.full(cell.shape, -1)),
        },
        coords=dict(model=[model], g=g, sigma_b=sigma_b, N=[N], seed=[seed], lag=lags, gate=["f", "i", "o"]),
    )
    io.annotate(ds, {"lyapunov_max": ("1/step", "maximal Lyapunov exponent"), "autocorr": ("1", "C(tau)")})
    ds.attrs.update(io.provenance({"model": model}, mpi_size=mpi_size))
    return io.write_dataset(ds, path)


def single_cell_files(folder, grid=GRID):
    return [
        job_file(folder / f"{m}_{g}_{s}_{N}_{k}.nc", m, g, s, N, k)
        for m in grid["model"] for g in grid["g"] for s in grid["sigma_b"] for N in grid["N"] for k in grid["seed"]
    ]


def test_cells_land_where_their_coordinates_say(tmp_path):
    merged = merge_simulations(single_cell_files(tmp_path), expect=GRID)
    assert dict(merged.sizes) == {"model": 2, "g": 2, "sigma_b": 3, "N": 1, "seed": 2, "lag": 4, "gate": 3}
    expected = merged.g - 2 + merged.sigma_b + 0.01 * merged.seed
    xr.testing.assert_allclose(merged.lyapunov_max, expected.broadcast_like(merged.lyapunov_max).transpose(*DIMS))
    assert merged.lyapunov_max.dims == DIMS and merged.autocorr.dims == DIMS + ("lag",)
    assert merged.lyapunov_max.attrs == {"units": "1/step", "long_name": "maximal Lyapunov exponent"}
    assert (merged.mpi_size == 2).all()
    assert json.loads(merged.attrs["missing_cells"]) == []
    assert merged.attrs["merged_from_files"] == 24
    assert set(io.provenance({})) <= set(merged.attrs)


def test_batched_jobs_merge_to_the_same_file_as_single_jobs(tmp_path):
    (tmp_path / "single").mkdir()
    (tmp_path / "batched").mkdir()
    single = merge_simulations(single_cell_files(tmp_path / "single"), expect=GRID)
    batched_paths = [
        job_file(tmp_path / "batched" / f"{m}_{k}_{i}.nc", m, GRID["g"], sigma_b, 16, k)
        for m in GRID["model"] for k in GRID["seed"] for i, sigma_b in enumerate(([0.0, 0.3], [0.6]))
    ]
    batched = merge_simulations(batched_paths, expect=GRID)
    xr.testing.assert_identical(single.drop_attrs(deep=False), batched.drop_attrs(deep=False))


def test_failed_job_leaves_its_cells_missing_and_listed(tmp_path):
    paths = single_cell_files(tmp_path)
    lost = tmp_path / "rate_2.5_0.3_16_1.nc"
    lost.unlink()
    merged = merge_simulations(paths, expect=GRID)
    cell = dict(model="rate", g=2.5, sigma_b=0.3, N=16, seed=1)
    assert json.loads(merged.attrs["missing_cells"]) == [cell]
    assert merged.status.sel(cell).item() == MISSING
    assert np.isnan(merged.lyapunov_max.sel(cell)) and np.isnan(merged.autocorr.sel(cell)).all()
    assert (merged.status == MISSING).sum() == 1
    with pytest.raises(IncompleteGridError, match=r"1 expected cells have no result: \{'model': 'rate', 'g': 2.5"):
        merge_simulations(paths, expect=GRID, require_complete=True)


def test_expected_cells_without_any_file_are_missing(tmp_path):
    merged = merge_simulations(single_cell_files(tmp_path), expect=GRID | {"N": [16, 32]})
    assert merged.sizes["N"] == 2
    assert (merged.status.sel(N=32) == MISSING).all() and (merged.status.sel(N=16) != MISSING).all()
    assert len(json.loads(merged.attrs["missing_cells"])) == 2 * 2 * 3 * 2  # model, g, sigma_b, seed at N=32
    nothing = merge_simulations([tmp_path / "absent.nc"], expect=GRID)
    assert (nothing.status == MISSING).all() and nothing.status.size == 24


def test_reading_in_worker_processes_gives_the_same_merge(tmp_path, monkeypatch):
    paths = single_cell_files(tmp_path)
    serial = merge_simulations(paths, expect=GRID, workers=1)
    monkeypatch.setattr("eoc.merge.combine._CHUNK", 5)
    parallel = merge_simulations(paths, expect=GRID, workers=2)
    xr.testing.assert_identical(serial.drop_attrs(deep=False), parallel.drop_attrs(deep=False))


def test_a_cell_in_two_files_is_an_error(tmp_path):
    paths = single_cell_files(tmp_path)
    twin = job_file(tmp_path / "twin.nc", "lstm", 1.0, 0.0, 16, 0)
    with pytest.raises(InputError, match="more than one file.*'model': 'lstm', 'g': 1.0, 'sigma_b': 0.0"):
        merge_simulations(paths + [twin])


def test_a_file_outside_the_contract_is_named(tmp_path):
    stray = io.write_dataset(xr.Dataset({"x": ("g", [1.0])}, coords={"g": [1.0]}), tmp_path / "stray.nc")
    with pytest.raises(InputError, match="stray.nc.*not a per-job file"):
        merge_simulations([stray])


def test_dmft_blocks_merge_to_the_one_shot_solve(tmp_path):
    """Cross-check with the DMFT solver itself: sigma_b blocks merged == the whole grid at once."""
    g, sigma_b = [1.0, 3.0], [0.0, 0.2, 0.5]
    options = dict(tau_max=5.0, c0_trial_count=11)
    whole = solve_grid(g, sigma_b, **options)
    blocks = [
        io.write_dataset(solve_grid(g, part, **options), tmp_path / f"block{i}.nc")
        for i, part in enumerate(([0.5], [0.0, 0.2]))
    ]
    merged = merge_dmft(blocks, expect={"g": g, "sigma_b": sigma_b})
    xr.testing.assert_allclose(merged.drop_attrs(deep=False), whole.drop_attrs(deep=False), rtol=1e-12)
    assert json.loads(merged.attrs["missing_cells"]) == []


def test_dmft_missing_block_is_missing(tmp_path):
    g = [1.0, 3.0]
    block = io.write_dataset(solve_grid(g, [0.0], tau_max=5.0, c0_trial_count=11), tmp_path / "sb0.nc")
    merged = merge_dmft([block, tmp_path / "sb0.5.nc"], expect={"g": g, "sigma_b": [0.0, 0.5]})
    assert (merged.status.sel(sigma_b=0.5) == MISSING).all()
    assert np.isnan(merged.C0.sel(sigma_b=0.5)).all() and np.isnan(merged.g_c.sel(sigma_b=0.5))
    assert (merged.status.sel(sigma_b=0.0) != MISSING).all()
    assert json.loads(merged.attrs["missing_cells"]) == [{"g": 1.0, "sigma_b": 0.5}, {"g": 3.0, "sigma_b": 0.5}]


def test_cli_merges_a_file_list_and_reports_missing_cells(tmp_path, capsys):
    paths = single_cell_files(tmp_path)
    listing = tmp_path / "files.txt"
    listing.write_text("".join(f"{p}\n" for p in paths[1:]))
    out = tmp_path / "merged" / "simulations.nc"
    expect = ["--expect", "model=lstm,rate", "--expect", "g=1,2.5", "--expect", "sigma_b=0,0.3,0.6",
              "--expect", "N=16", "--expect", "seed=0,1"]
    assert main(["merge", "simulations", "--out", str(out), "--files-from", str(listing), *expect]) == 0
    lost = dict(model="lstm", g=1.0, sigma_b=0.0, N=16, seed=0)
    with xr.open_dataset(out) as merged:
        assert json.loads(merged.attrs["missing_cells"]) == [lost]
        assert merged.status.sel(lost).item() == MISSING
        assert np.isnan(merged.status_step.sel(lost)) and int((merged.status_step == -1).sum()) == 23
    assert main(["merge", "simulations", "--out", str(out), "--files-from", str(listing), *expect,
                 "--require-complete"]) == 2
    assert "1 expected cells have no result" in capsys.readouterr().err


@pytest.mark.parametrize(
    "arguments, fragment",
    [
        (["--expect", "gain=1,2"], "got 'gain=1,2'"),
        (["--expect", "g=1,x"], "g holds a value that is not a number: '1,x'"),
        (["--expect", "g"], "got 'g'"),
        (["--files-from", "/nonexistent/list"], "'/nonexistent/list' cannot be read"),
        ([], "no per-job files given"),
    ],
)
def test_cli_names_bad_arguments(tmp_path, capsys, arguments, fragment):
    assert main(["merge", "simulations", "--out", str(tmp_path / "m.nc"), *arguments]) == 2
    assert fragment in capsys.readouterr().err
    assert not (tmp_path / "m.nc").exists()
