"""`eoc dmft --model lstm`: the LSTM mean-field grid written by the command line (tiny options)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from eoc.cli import main
from eoc.contract import open_dataset

# The cheapest options the solver accepts that still iterate (seconds per point).
TINY = ["--paths", "64", "--coarse-paths", "32", "--steps", "64", "--lags", "16", "--max-iterations", "4"]
TINY += ["--fine-iterations", "1", "--batches", "2", "--nodes", "12"]


def test_lstm_grid_is_written_with_provenance_and_passes_the_cf_checker(tmp_path):
    out = tmp_path / "dmft_lstm.nc"
    argv = ["dmft", "--model", "lstm", "--g", "0.5", "3", "--sigma-b", "0", "--out", str(out), *TINY]
    assert main(argv) == 0
    ds = open_dataset(out)
    assert ds.g.values.tolist() == [0.5, 3.0] and ds.sigma_b.values.tolist() == [0.0]
    assert ds.gate.values.tolist() == ["f", "i", "o"]
    assert '"model": "lstm"' in ds.attrs["config"] and '"paths": 64' in ds.attrs["config"]
    # g = 0.5 < g_c(0) = 2 (static branch h = 0 stable): the gates sit at exactly 1/2, no spread.
    assert ds.regime.sel(g=0.5).item() == "fixed_point"
    assert float(ds.gate_std.sel(g=0.5).max()) == 0.0
    np.testing.assert_allclose(ds.gate_mean.sel(g=0.5).values, 0.5)
    # g = 3: chaotic, the gate spread is finite.
    assert ds.regime.sel(g=3.0).item() == "chaotic"
    assert float(ds.gate_std.sel(g=3.0).min()) > 0.0
    check = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "cf" / "cfcheck.py"), str(out)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_lstm_bad_input_exits_2_naming_the_value_before_any_work(tmp_path, capsys):
    out = tmp_path / "dmft_lstm.nc"
    assert main(["dmft", "--model", "lstm", "--g", "1", "--sigma-b", "0", "--out", str(out), "--lags", "512"]) == 2
    assert "got lags=512" in capsys.readouterr().err
    assert main(["dmft", "--model", "lstm", "--g", "1", "--sigma-b", "-0.2", "--out", str(out)]) == 2
    assert "-0.2" in capsys.readouterr().err
    assert main(["dmft", "--model", "lstm", "--g", "1", "--sigma-b", "0", "--out", str(out), "--maxiter", "3"]) == 2
    assert "--maxiter: not an option of --model lstm" in capsys.readouterr().err
    assert main(["dmft", "--g", "1", "--sigma-b", "0", "--out", str(out), "--paths", "64"]) == 2
    assert "--paths: not an option of --model rate" in capsys.readouterr().err
    assert not out.exists()


def test_lstm_blocks_merge_onto_the_grid_with_a_missing_block_reported(tmp_path):
    blocks = []
    for sigma_b in ("0", "0.5"):
        blocks.append(tmp_path / f"sb{sigma_b}.nc")
        argv = ["dmft", "--model", "lstm", "--g", "0.5", "--sigma-b", sigma_b, "--out", str(blocks[-1]), *TINY]
        assert main(argv) == 0
    out = tmp_path / "dmft_lstm.nc"
    expect = ["--expect", "g=0.5", "--expect", "sigma_b=0,0.5,1"]
    assert main(["merge", "dmft_lstm", "--out", str(out), *map(str, blocks), *expect]) == 0
    ds = open_dataset(out)
    assert ds.sigma_b.values.tolist() == [0.0, 0.5, 1.0] and ds.gate_std.dims == ("g", "sigma_b", "gate")
    assert ds.status.sel(sigma_b=1.0).item() == "missing" and np.isnan(ds.C0.sel(sigma_b=1.0)).all()
    assert ds.status.sel(sigma_b=0.5).item() == "ok" and float(ds.gate_std.sel(sigma_b=0.5).min()) > 0
    assert "LSTM mean-field" in ds.attrs["title"]
    # an LSTM file lacks the rate DMFT's variables: merged as a rate file its cells are incomplete
    assert main(["merge", "dmft", "--out", str(tmp_path / "rate.nc"), str(blocks[0])]) == 0
    assert open_dataset(tmp_path / "rate.nc").status.item() == "incomplete"
