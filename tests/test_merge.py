"""The merge of per-job files (eoc.merge): batched = one-by-one, missing, unreadable and incomplete
cells, failure records, provenance per job, DMFT blocks along either axis, CLI."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from eoc import InputError, contract, io
from eoc.cli import main
from eoc.meanfield.rate import solve_grid
from eoc.merge import MISSING, IncompleteGridError, merge_dmft, merge_simulations
from eoc.merge.failures import record

DIMS = ("model", "g", "sigma_b", "N", "seed")  # a per-job file written before the bias-mean coordinate
MERGED_DIMS = ("model", "g", "sigma_b", "mu_f", "N", "seed")
GRID = dict(model=["lstm", "rate"], g=[1.0, 2.5], sigma_b=[0.0, 0.3, 0.6], N=[16], seed=[0, 1])


def job_file(path, model, g, sigma_b, N, seed, *, mpi_size=2, mu_f=None):
    """A per-job file of the data contract (docs/interfaces.md) whose values encode the cell, so
    that a value in the wrong place after the merge shows up: lyapunov_max = g - 2 + sigma_b
    + 0.01 seed + 0.1 mu_f. ``mu_f`` None: the layout from before the bias-mean coordinate."""
    g, sigma_b = np.atleast_1d(g), np.atleast_1d(sigma_b)
    cell = (g[:, None] - 2 + sigma_b[None, :])[None, :, :, None, None] + 0.01 * seed + 0.1 * (mu_f or 0.0)
    lags = np.arange(4.0)
    gates = np.repeat(cell[..., None], 3, axis=-1) + 0.5
    ds = xr.Dataset(
        {
            "lyapunov_max": (DIMS, cell),
            "lyapunov_max_stderr": (DIMS, np.abs(cell) / 10),
            "lyapunov_spectrum": (DIMS + ("exponent",), cell[..., None]),
            "kaplan_yorke_dimension": (DIMS, np.full(cell.shape, np.nan)),
            "C0": (DIMS, cell**2),
            "autocorr": (DIMS + ("lag",), cell[..., None] * np.exp(-lags)),
            "tau_corr": (DIMS, np.ones(cell.shape)),
            "gate_mean": (DIMS + ("gate",), gates),
            "gate_std": (DIMS + ("gate",), gates / 2),
            "jacobian_radius": (DIMS, np.full(cell.shape, 0.5)),
            "status": (DIMS, np.where(cell > 0, "ok", "fixed_point")),  # "ok": a file of the old vocabulary
            "status_step": (DIMS, np.full(cell.shape, -1)),
            "wall_time": (DIMS, np.full(cell.shape, 1.0)),
        },
        coords=dict(
            model=[model], g=g, sigma_b=sigma_b, N=[N], seed=[seed], lag=lags, gate=["f", "i", "o"], exponent=[0]
        ),
    )
    io.annotate(ds, {"lyapunov_max": ("1/step", "maximal Lyapunov exponent"), "autocorr": ("1", "C(tau)")})
    ds.attrs.update(io.provenance({"model": model, "steps": 100 + seed}, mpi_size=mpi_size))
    if mu_f is not None:
        ds = contract.with_bias_mean(ds).assign_coords(mu_f=[float(mu_f)])
        io.annotate(ds, {"mu_f": contract.SIMULATION_VARIABLES["mu_f"]})
    return io.write_dataset(ds, path)


def cells(merged):
    """The missing_cells attribute without the reasons (a list of cells with their status)."""
    return [{k: v for k, v in cell.items() if k != "reason"} for cell in json.loads(merged.attrs["missing_cells"])]


def single_cell_files(folder, grid=GRID):
    return [
        job_file(folder / f"{m}_{g}_{s}_{N}_{k}.nc", m, g, s, N, k)
        for m in grid["model"]
        for g in grid["g"]
        for s in grid["sigma_b"]
        for N in grid["N"]
        for k in grid["seed"]
    ]


def test_cells_land_where_their_coordinates_say(tmp_path):
    merged = merge_simulations(single_cell_files(tmp_path), expect=GRID)
    assert dict(merged.sizes) == {
        "model": 2,
        "g": 2,
        "sigma_b": 3,
        "mu_f": 1,
        "N": 1,
        "seed": 2,
        "lag": 4,
        "gate": 3,
        "exponent": 1,
        "job": 24,
    }
    expected = merged.g - 2 + merged.sigma_b + 0.01 * merged.seed
    xr.testing.assert_allclose(
        merged.lyapunov_max.drop_vars("time_unit"),
        expected.broadcast_like(merged.lyapunov_max).transpose(*MERGED_DIMS),
    )
    assert merged.lyapunov_max.dims == MERGED_DIMS and merged.autocorr.dims == MERGED_DIMS + ("lag",)
    assert merged.mu_f.values.tolist() == [0.0]  # files without the bias-mean coordinate ran at mu = 0
    assert (merged.mpi_size == 2).all()
    assert json.loads(merged.attrs["missing_cells"]) == []
    assert merged.attrs["merged_from_files"] == 24
    assert set(io.provenance({})) <= set(merged.attrs)


def test_units_are_true_for_every_model(tmp_path):
    """Issue 10: the per-job files say 1/step (the LSTM fixture here; the rate model's own files say
    1/t); the merged exponent must not carry the first file's unit for every cell."""
    merged = merge_simulations(single_cell_files(tmp_path), expect=GRID)
    for name in ("lyapunov_max", "tau_corr", "lag"):
        assert merged[name].attrs["units"] == "1"  # a valid UDUNITS string: time in time_unit
    assert merged.lyapunov_max.sel(model="rate").time_unit.item() == "t"
    assert merged.lyapunov_max.sel(model="lstm").time_unit.item() == "step"
    assert len(merged.lyapunov_max.attrs["long_name"]) <= 40 and "time_unit" in merged.lyapunov_max.attrs["description"]


def test_batched_jobs_merge_to_the_same_file_as_single_jobs(tmp_path):
    (tmp_path / "single").mkdir()
    (tmp_path / "batched").mkdir()
    single = merge_simulations(single_cell_files(tmp_path / "single"), expect=GRID)
    batched_paths = [
        job_file(tmp_path / "batched" / f"{m}_{k}_{i}.nc", m, GRID["g"], sigma_b, 16, k)
        for m in GRID["model"]
        for k in GRID["seed"]
        for i, sigma_b in enumerate(([0.0, 0.3], [0.6]))
    ]
    batched = merge_simulations(batched_paths, expect=GRID)
    jobs = ["cell_job", *[name for name in single.data_vars if name.startswith("job_")]]
    xr.testing.assert_identical(
        single.drop_attrs(deep=False).drop_vars(jobs), batched.drop_attrs(deep=False).drop_vars(jobs)
    )


def test_failed_job_leaves_its_cells_missing_and_listed(tmp_path):
    paths = single_cell_files(tmp_path)
    lost = tmp_path / "rate_2.5_0.3_16_1.nc"
    lost.unlink()
    merged = merge_simulations(paths, expect=GRID)
    cell = dict(model="rate", g=2.5, sigma_b=0.3, mu_f=0.0, N=16, seed=1)
    assert cells(merged) == [cell | {"status": MISSING}]
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
    with pytest.raises(InputError, match=r"more than one file.*'model': 'lstm', 'g': 1\.0, 'sigma_b': 0\.0"):
        merge_simulations(paths + [twin])


def test_a_file_outside_the_contract_is_named_and_skipped(tmp_path, caplog):
    stray = io.write_dataset(xr.Dataset({"x": ("g", [1.0])}, coords={"g": [1.0]}), tmp_path / "stray.nc")
    merged = merge_simulations([stray, *single_cell_files(tmp_path)], expect=GRID)
    assert "stray.nc: not a per-job file of the data contract" in caplog.text
    assert not (merged.status == MISSING).any()


def test_status_names_of_the_old_vocabulary_merge_as_the_new_one(tmp_path):
    merged = merge_simulations(single_cell_files(tmp_path), expect=GRID)
    assert set(np.unique(merged.status.values)) == {"chaotic", "fixed_point"}
    assert (merged.status == "chaotic").equals(merged.lyapunov_max > 0)


@pytest.mark.parametrize("damage", ["empty", "truncated", "text"])
def test_an_unreadable_file_is_skipped_named_and_its_cells_marked(tmp_path, caplog, damage):
    """A damaged per-job file of the sweep's layout: the merge goes on, names the file, marks the
    cells its path names 'unreadable' and lists them with the reason; require_complete refuses."""
    grid = GRID | {"model": ["lstm"], "N": [16], "seed": [0]}
    folder = tmp_path / "results" / "sim" / "lstm" / "N16" / "seed0"
    folder.mkdir(parents=True)
    paths = [job_file(folder / f"g{g:g}_sb0_to_0.6.nc", "lstm", g, grid["sigma_b"], 16, 0) for g in (1.0, 2.5)]
    data = paths[1].read_bytes()
    paths[1].write_bytes({"empty": b"", "truncated": data[: len(data) // 2], "text": b"not netCDF"}[damage])
    merged = merge_simulations(paths, expect=grid)
    assert f"{paths[1]}: cannot be read" in caplog.text
    assert (merged.status.sel(g=2.5) == "unreadable").all() and np.isnan(merged.lyapunov_max.sel(g=2.5)).all()
    assert (merged.status.sel(g=1.0) != "unreadable").all()
    listed = json.loads(merged.attrs["missing_cells"])
    assert [(c["g"], c["sigma_b"], c["status"]) for c in listed] == [(2.5, s, "unreadable") for s in grid["sigma_b"]]
    assert all(str(paths[1]) in c["reason"] and "cannot be read" in c["reason"] for c in listed)
    with pytest.raises(IncompleteGridError, match="3 expected cells have no result"):
        merge_simulations(paths, expect=grid, require_complete=True)


def test_a_file_lacking_a_contract_variable_is_incomplete_not_silent_nan(tmp_path, caplog):
    paths = single_cell_files(tmp_path)
    cell = dict(model="lstm", g=2.5, sigma_b=0.6, mu_f=0.0, N=16, seed=1)
    lacking = tmp_path / "lacking.nc"
    io.write_dataset(xr.open_dataset(paths[11]).load().drop_vars("C0"), lacking)
    paths[11].unlink()
    merged = merge_simulations([*paths[:11], lacking, *paths[12:]], expect=GRID)
    assert "lacks the variables ['C0']" in caplog.text
    assert merged.status.sel(cell).item() == "incomplete"
    assert np.isfinite(merged.lyapunov_max.sel(cell))  # what the file has is kept
    assert cells(merged) == [cell | {"status": "incomplete"}]
    assert "lacks the variables ['C0']" in json.loads(merged.attrs["missing_cells"])[0]["reason"]
    with pytest.raises(IncompleteGridError):
        merge_simulations([*paths[:11], lacking, *paths[12:]], expect=GRID, require_complete=True)


def test_a_failure_record_marks_its_cells_missing_with_the_reason(tmp_path):
    grid = GRID | {"model": ["rate"], "g": [1.0], "seed": [1]}
    folder = tmp_path / "rate" / "N16" / "seed1"
    folder.mkdir(parents=True)
    record(folder / "g1_sb0_to_0.6.nc", "exit 3, see logs/x.log")
    merged = merge_simulations([folder / "g1_sb0_to_0.6.nc"], expect=grid)
    assert (merged.status == MISSING).all()
    assert {c["reason"].split(": ", 1)[1] for c in json.loads(merged.attrs["missing_cells"])} == {
        "the job failed: exit 3, see logs/x.log"
    }


def test_every_cell_keeps_the_provenance_of_its_job(tmp_path):
    merged = merge_simulations(single_cell_files(tmp_path), expect=GRID)
    for seed in GRID["seed"]:
        job = merged.cell_job.sel(model="rate", g=2.5, sigma_b=0.3, N=16, seed=seed).item()
        config = json.loads(merged.job_config.values[job])
        assert config == {"model": "rate", "steps": 100 + seed}
        assert merged.job_file.values[job].endswith(f"rate_2.5_0.3_16_{seed}.nc")
        assert merged.job_git_tree_dirty.values[job] in ("yes", "no", "unknown")
    assert merged.sizes["job"] == 24 and (merged.mpi_size == 2).all()


def bias_mean_files(folder, means=(0.0, 1.0)):
    """Per-job files with the bias-mean coordinate: the LSTM at every mean, the rate model at 0."""
    return [
        job_file(folder / f"{m}_{g}_{mu}_{k}.nc", m, g, GRID["sigma_b"], 16, k, mu_f=mu)
        for m in GRID["model"]
        for mu in (means if m == "lstm" else (0.0,))
        for g in GRID["g"]
        for k in GRID["seed"]
    ]


def test_the_forget_gate_bias_mean_is_a_dimension_of_the_merge(tmp_path):
    merged = merge_simulations(bias_mean_files(tmp_path), expect=GRID | {"mu_f": [0.0, 1.0]})
    assert merged.lyapunov_max.dims == MERGED_DIMS and merged.mu_f.values.tolist() == [0.0, 1.0]
    assert merged.mu_f.attrs["units"] == "1" and "forget-gate bias mean" in merged.mu_f.attrs["long_name"]
    expected = merged.g - 2 + merged.sigma_b + 0.01 * merged.seed + 0.1 * merged.mu_f
    lstm = merged.lyapunov_max.sel(model="lstm").drop_vars(["time_unit", "model"])
    xr.testing.assert_allclose(lstm, expected.broadcast_like(lstm).transpose(*lstm.dims))
    # the rate model has no gate biases: its cells at mu_f = 1 are no points of it, not missing
    rate = merged.status.sel(model="rate")
    assert (rate.sel(mu_f=1.0) == "not_applicable").all() and (rate.sel(mu_f=0.0) != "not_applicable").all()
    assert np.isnan(merged.lyapunov_max.sel(model="rate", mu_f=1.0)).all()
    assert json.loads(merged.attrs["missing_cells"]) == []
    # an LSTM cell at mu_f = 1 without its file is missing, and so is a rate cell at mu_f = 0
    paths = bias_mean_files(tmp_path)
    lost = [p for p in paths if p.name in ("lstm_2.5_1.0_0.nc", "rate_1.0_0.0_1.nc")]
    merged = merge_simulations([p for p in paths if p not in lost], expect=GRID | {"mu_f": [0.0, 1.0]})
    assert {(c["model"], c["mu_f"], c["status"]) for c in cells(merged)} == {
        ("lstm", 1.0, MISSING),
        ("rate", 0.0, MISSING),
    }


def test_files_without_the_bias_mean_merge_with_files_that_have_it(tmp_path):
    """A per-job file from before the coordinate is a cell at mu_f = 0; expect without mu_f takes the
    means found (the same merge as expecting them)."""
    old = [job_file(tmp_path / f"old_{g}_{k}.nc", "lstm", g, GRID["sigma_b"], 16, k) for g in GRID["g"] for k in (0, 1)]
    new = [
        job_file(tmp_path / f"new_{g}_{k}.nc", "lstm", g, GRID["sigma_b"], 16, k, mu_f=1.0)
        for g in GRID["g"]
        for k in (0, 1)
    ]
    grid = GRID | {"model": ["lstm"]}
    merged = merge_simulations(old + new, expect=grid)
    assert merged.mu_f.values.tolist() == [0.0, 1.0] and json.loads(merged.attrs["missing_cells"]) == []
    xr.testing.assert_identical(
        merged.drop_attrs(deep=False),
        merge_simulations(old + new, expect=grid | {"mu_f": [0.0, 1.0]}).drop_attrs(deep=False),
    )
    np.testing.assert_allclose(merged.lyapunov_max.sel(mu_f=1.0) - merged.lyapunov_max.sel(mu_f=0.0), 0.1, rtol=1e-12)


def test_a_failure_record_of_a_biased_job_marks_its_mean(tmp_path):
    grid = GRID | {"model": ["lstm"], "g": [1.0], "seed": [1], "mu_f": [0.0, -0.5]}
    folder = tmp_path / "lstm" / "N16" / "seed1"
    folder.mkdir(parents=True)
    kept = job_file(folder / "g1_sb0_to_0.6_muf0.nc", "lstm", 1.0, GRID["sigma_b"], 16, 1, mu_f=0.0)
    record(folder / "g1_sb0_to_0.6_muf-0.5.nc", "exit 3, see logs/x.log")
    merged = merge_simulations([kept, folder / "g1_sb0_to_0.6_muf-0.5.nc"], expect=grid)
    assert (merged.status.sel(mu_f=-0.5) == MISSING).all() and (merged.status.sel(mu_f=0.0) != MISSING).all()
    assert {c["mu_f"] for c in cells(merged)} == {-0.5} and len(cells(merged)) == 3


def test_the_merged_file_with_bias_means_passes_the_cf_checker(tmp_path):
    merged = merge_simulations(bias_mean_files(tmp_path), expect=GRID | {"mu_f": [0.0, 1.0]})
    out = io.write_dataset(merged, tmp_path / "merged.nc")
    check = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "cf" / "cfcheck.py"), str(out)], capture_output=True, text=True
    )
    assert "ERRORS detected: 0" in check.stdout, check.stdout[-3000:]
    back = contract.open_simulations(out)
    assert back.status.sel(model="rate", mu_f=1.0).values.ravel().tolist() == ["not_applicable"] * 12


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
    xr.testing.assert_allclose(
        merged.drop_attrs(deep=False)[list(whole.data_vars)], whole.drop_attrs(deep=False), rtol=1e-12
    )
    assert json.loads(merged.attrs["missing_cells"]) == []


def test_dmft_missing_block_is_missing(tmp_path):
    g = [1.0, 3.0]
    block = io.write_dataset(solve_grid(g, [0.0], tau_max=5.0, c0_trial_count=11), tmp_path / "sb0.nc")
    merged = merge_dmft([block, tmp_path / "sb0.5.nc"], expect={"g": g, "sigma_b": [0.0, 0.5]})
    assert (merged.status.sel(sigma_b=0.5) == MISSING).all()
    assert np.isnan(merged.C0.sel(sigma_b=0.5)).all() and np.isnan(merged.g_c.sel(sigma_b=0.5))
    assert (merged.status.sel(sigma_b=0.0) != MISSING).all()
    assert cells(merged) == [
        {"g": 1.0, "sigma_b": 0.5, "status": MISSING},
        {"g": 3.0, "sigma_b": 0.5, "status": MISSING},
    ]


def test_dmft_blocks_split_along_g_keep_g_c_over_sigma_b(tmp_path):
    """Issue 14 item 7: g_c(sigma_b) must not gain a g dimension when the blocks split g."""
    options = dict(tau_max=5.0, c0_trial_count=11)
    whole = solve_grid([1.0, 3.0], [0.0, 0.5], **options)
    blocks = [io.write_dataset(solve_grid([g], [0.0, 0.5], **options), tmp_path / f"g{g}.nc") for g in (1.0, 3.0)]
    merged = merge_dmft(blocks, expect={"g": [1.0, 3.0], "sigma_b": [0.0, 0.5]})
    assert merged.g_c.dims == ("sigma_b",)
    xr.testing.assert_allclose(
        merged.drop_attrs(deep=False)[list(whole.data_vars)], whole.drop_attrs(deep=False), rtol=1e-12
    )


def test_cli_merges_a_file_list_and_reports_missing_cells(tmp_path, capsys):
    paths = single_cell_files(tmp_path)
    listing = tmp_path / "files.txt"
    listing.write_text("".join(f"{p}\n" for p in paths[1:]))
    out = tmp_path / "merged" / "simulations.nc"
    expect = [
        "--expect",
        "model=lstm,rate",
        "--expect",
        "g=1,2.5",
        "--expect",
        "sigma_b=0,0.3,0.6",
        "--expect",
        "N=16",
        "--expect",
        "seed=0,1",
    ]
    assert main(["merge", "simulations", "--out", str(out), "--files-from", str(listing), *expect]) == 0
    lost = dict(model="lstm", g=1.0, sigma_b=0.0, mu_f=0.0, N=16, seed=0)
    with contract.open_simulations(out) as merged:
        assert cells(merged) == [lost | {"status": MISSING}]
        assert merged.status.sel(lost).item() == MISSING
        assert np.isnan(merged.status_step.sel(lost)) and int((merged.status_step == -1).sum()) == 23
    assert (
        main(["merge", "simulations", "--out", str(out), "--files-from", str(listing), *expect, "--require-complete"])
        == 2
    )
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
