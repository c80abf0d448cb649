"""Every bad command-line input ends in a message naming the option and the value, exit status 2,
before any work and without a traceback (issue 14, item 10): one table over all subcommands."""

from __future__ import annotations

import pytest

from eoc.cli import main

SIM = ["simulate", "--model", "lstm", "--g", "3", "--sigma-b", "0", "--N", "10", "--seed", "0"]
DMFT = ["dmft", "--g", "1", "--sigma-b", "0"]

CASES = [
    # simulate
    (SIM + ["--out", "s.nc", "--N", "300000"], "N=300000 on 1 rank(s) in float64 needs about"),
    (SIM + ["--out", "s.nc", "--N", "1"], "N must be an integer >= 2, got 1"),
    (SIM + ["--out", "s.nc", "--N", "x"], "argument --N: invalid int value: 'x'"),
    (SIM + ["--out", "s.nc", "--g", "nan"], "g must be finite, got nan"),
    (SIM + ["--out", "s.nc", "--g", "-1"], "g must be > 0, got -1.0"),
    (SIM + ["--out", "s.nc", "--sigma-b", "inf"], "sigma_b must be finite, got inf"),
    (SIM + ["--out", "s.nc", "--model", "gru"], "model must be one of 'lstm', 'rate'; got 'gru'"),
    (SIM + ["--out", "s.nc", "--seed", "-1"], "seed must be an integer >= 0, got -1"),
    (SIM + ["--out", "s.nc", "--steps", "5"], "steps must be an integer >= 20, got 5"),
    (SIM + ["--out", "s.nc", "--transient", "-1"], "transient must be an integer >= 0, got -1"),
    (SIM + ["--out", "s.nc", "--k", "100"], "k must be at most the state dimension 20, got k=100"),
    (SIM + ["--out", "s.nc", "--dtype", "float16"], "dtype must be one of 'float64', 'float32'; got 'float16'"),
    (SIM + ["--out", "s.nc", "--dt", "0"], "dt must be > 0, got 0.0"),
    (SIM + ["--out", "s.nc", "--n-lags", "1"], "n_lags must be an integer >= 2, got 1"),
    (SIM + ["--out", "s.nc", "--renorm-interval", "0"], "renorm_interval must be an integer >= 1, got 0"),
    (SIM + ["--out", "s.nc", "--jacobian-max-N", "-5"], "jacobian_max_N must be an integer >= 0, got -5"),
    (SIM + ["--out", "s.nc", "--gate-gain", "x=1"], "gate of the gate gains must be one of"),
    (SIM + ["--out", "s.nc", "--gate-gain", "f=abc"], "expected GATE=VALUE"),
    (SIM + ["--out", "s.nc", "--bias-mean", "o=nan"], "bias mean of gate o must be finite, got nan"),
    (SIM + ["--out", "s.nc", "--target-stderr", "0.01"], "target_stderr=0.01 needs max_steps too"),
    (SIM + ["--out", "s.nc", "--max-steps", "9000"], "max_steps=9000 needs target_stderr too"),
    (
        SIM + ["--out", "s.nc", "--target-stderr", "0.01", "--max-steps", "4000"],
        "max_steps=4000 is below steps=5000",
    ),
    (SIM + ["--out", "s.nc", "--target-stderr", "0", "--max-steps", "9000"], "target_stderr must be > 0, got 0.0"),
    (SIM + ["--out", "s.nc", "--target-stderr", "inf", "--max-steps", "9000"], "target_stderr must be finite, got inf"),
    (
        SIM + ["--out", "s.nc", "--target-stderr", "0.01", "--max-steps", "9000", "--k", "0"],
        "target_stderr=0.01 needs k >= 1",
    ),
    (SIM + ["--out", "s.nc", "--checkpoint-seconds", "-1"], "checkpoint_seconds must be >= 0, got -1.0"),
    (
        SIM + ["--out", "s.nc", "--damaged-checkpoint", "ignore"],
        "damaged_checkpoint must be one of 'stop', 'restart'; got 'ignore'",
    ),
    (SIM + ["--out", "s.nc", "--checkpoint", "s.nc"], "--checkpoint 's.nc' is the same file as --out 's.nc'"),
    (SIM + ["--out", "/sys/eoc/s.nc"], "--out folder '/sys/eoc' (its existing parent '/sys') is not writable"),
    (SIM + ["--out", "."], "--out path '.' is a directory"),
    (SIM + ["--out", "s.nc", "--checkpoint", "garbage.bin"], "checkpoint 'garbage.bin' is truncated or corrupt"),
    (SIM + ["--out", "s.nc", "--checkpoint", "empty.bin"], "checkpoint 'empty.bin' is empty"),
    (SIM[:-2] + ["--out", "s.nc"], "the following arguments are required: --seed"),
    # dmft
    (DMFT + ["--out", "d.nc", "--g", "0"], "g must be > 0, got '0'"),
    (DMFT + ["--out", "d.nc", "--g", "inf"], "g must be finite, got 'inf'"),
    (DMFT + ["--out", "d.nc", "--sigma-b", "nan"], "sigma_b must be finite, got 'nan'"),
    (DMFT + ["--out", "d.nc", "--nodes", "0"], "nodes must be an integer >= 2, got 0"),
    (DMFT + ["--out", "d.nc", "--tau-step", "0"], "tau_step must be > 0, got 0.0"),
    (DMFT + ["--out", "d.nc", "--maxiter", "x"], "argument --maxiter: invalid int value: 'x'"),
    (DMFT + ["--out", "new/d.nc", "--box-decay-lengths", "nan"], "box_decay_lengths must be finite, got nan"),
    (DMFT + ["--out", "/sys/d.nc"], "--out folder '/sys' is not writable"),
    # merge
    (
        ["merge", "simulations", "--out", "m.nc", "--expect", "g=nan"],
        "--expect g must hold finite numbers > 0, got 'nan'",
    ),
    (
        ["merge", "simulations", "--out", "m.nc", "--expect", "seed=-1"],
        "--expect seed must hold finite numbers >= 0, got '-1'",
    ),
    (
        ["merge", "simulations", "--out", "m.nc", "--expect", "N=1.5"],
        "--expect N holds a value that is not a number: '1.5'",
    ),
    (["merge", "simulations", "--out", "m.nc", "--expect", "colour=red"], "--expect must be DIM=V1,V2,..."),
    (
        ["merge", "simulations", "--out", "m.nc", "--files-from", "no-such-list"],
        "--files-from 'no-such-list' cannot be read",
    ),
    (["merge", "simulations", "--out", "m.nc"], "no per-job files given"),
    (["merge", "dmft", "--out", "/sys/m.nc", "garbage.bin"], "--out folder '/sys' is not writable"),
    (["merge", "volumes", "--out", "m.nc"], "argument KIND: invalid choice: 'volumes'"),
    # figures
    (
        ["figures", "--simulations", "garbage.bin", "--dmft", "garbage.bin", "--outdir", "f"],
        "--simulations file 'garbage.bin' cannot be read",
    ),
    (
        ["figures", "--simulations", "empty.bin", "--dmft", "garbage.bin", "--outdir", "f"],
        "--simulations file 'empty.bin' cannot be read",
    ),
    (
        ["figures", "--simulations", "nofile.nc", "--dmft", "garbage.bin", "--outdir", "f"],
        "--simulations file 'nofile.nc' does not exist",
    ),
    (
        ["figures", "--simulations", "garbage.bin", "--dmft", "garbage.bin", "--outdir", "garbage.bin/f"],
        "--outdir 'garbage.bin/f' cannot be created",
    ),
    # the command itself
    (["simulat"], "invalid choice: 'simulat'"),
    (["--log-level", "LOUD", "dmft"], "argument --log-level: invalid choice: 'LOUD'"),
]


@pytest.mark.parametrize("argv, message", CASES, ids=[" ".join(a[:2]) + f" #{i}" for i, (a, _) in enumerate(CASES)])
def test_bad_input_is_a_message_naming_option_and_value(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "garbage.bin").write_bytes(b"not netCDF, not a checkpoint\n" * 20)
    (tmp_path / "empty.bin").write_bytes(b"")
    try:
        status = main(argv)
    except SystemExit as exit_:  # argparse's own errors
        status = exit_.code
    err = capsys.readouterr().err
    assert status == 2, err
    assert message in err, err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.bin", "garbage.bin"]  # nothing made


def test_a_command_built_from_options_reads_back_as_the_same_options(tmp_path):
    """eoc.cli.simulate.command writes every field (lists, dicts, floats by repr) so that the
    command line's parser returns the very same Options."""
    import argparse
    import sys

    from eoc.cli.arguments import add_arguments, options_from
    from eoc.cli.simulate import command
    from eoc.simulate import Options

    options = Options(
        model="lstm", g=[0.1, 3.0], sigma_b=[0.0, 1 / 3], N=16, seed=[0, 7], steps=40, n_lags=5, bias_means={"f": 1.0}
    )
    words = command(options, out=tmp_path / "x.nc", checkpoint=tmp_path / "x.ckpt")
    assert words[1:4] == ["-m", "eoc", "simulate"] and words[-2:] == ["--out", str(tmp_path / "x.nc")]
    parser = argparse.ArgumentParser()
    add_arguments(parser, Options)
    parser.add_argument("--out")
    parser.add_argument("--checkpoint")
    parsed = parser.parse_args(words[4:])
    assert options_from(parsed, Options) == options and parsed.checkpoint == str(tmp_path / "x.ckpt")
    under_mpi = command(options, out="x.nc", ranks=3, mpiexec="/opt/mpiexec")
    assert under_mpi[:6] == ["/opt/mpiexec", "-n", "3", sys.executable, "-m", "mpi4py"]
