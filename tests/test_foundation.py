"""The shared foundation: input validation, atomic netCDF output, provenance, rank-aware logs."""

import json
import logging
import math
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from eoc import InputError, io, validation
from eoc.logs import configure, get_logger, process_rank


@pytest.mark.parametrize(
    "check, value, fragment",
    [
        (validation.positive, 0, "g must be > 0, got 0"),
        (validation.positive, -1.5, "got -1.5"),
        (validation.positive, math.inf, "must be finite, got inf"),
        (validation.positive, "abc", "must be a number, got 'abc'"),
        (validation.nonnegative, -0.1, "g must be >= 0, got -0.1"),
        (validation.finite, math.nan, "must be finite, got nan"),
    ],
)
def test_scalar_checks_name_the_value(check, value, fragment):
    with pytest.raises(InputError, match=fragment.replace("(", r"\(")):
        check("g", value)


def test_integer_check():
    assert validation.integer("N", 8.0, minimum=2) == 8
    for bad in (1, 2.5, True, "x"):
        with pytest.raises(InputError, match=f"N must be an integer >= 2, got {bad!r}"):
            validation.integer("N", bad, minimum=2)


def test_grid_check_rejects_empty_and_repeated():
    assert validation.grid("g", [1, 2.5], validation.positive) == [1.0, 2.5]
    with pytest.raises(InputError, match="g must hold at least one value"):
        validation.grid("g", [], validation.positive)
    with pytest.raises(InputError, match="repeated"):
        validation.grid("g", [1, 1.0], validation.positive)
    with pytest.raises(InputError, match="got -2"):
        validation.grid("g", [1, -2], validation.positive)


def test_choice():
    assert validation.choice("model", "rate", ("lstm", "rate")) == "rate"
    with pytest.raises(InputError, match="model must be one of 'lstm', 'rate'; got 'gru'"):
        validation.choice("model", "gru", ("lstm", "rate"))


def _dataset():
    ds = xr.Dataset({"C0": ("g", np.array([0.0, 1.2]))}, coords={"g": [1.0, 3.0]})
    return io.annotate(ds, {"C0": ("1", "variance of h"), "g": ("1", "recurrent gain")})


def test_write_dataset_roundtrip_with_metadata(tmp_path):
    path = io.write_dataset(_dataset(), tmp_path / "sub" / "out.nc")
    with xr.open_dataset(path) as back:
        assert back["C0"].attrs == {"units": "1", "long_name": "variance of h"}
        np.testing.assert_array_equal(back["C0"].values, [0.0, 1.2])
    assert [p.name for p in path.parent.iterdir()] == ["out.nc"]


def test_write_dataset_leaves_no_partial_file_on_failure(tmp_path):
    target = tmp_path / "out.nc"
    bad = xr.Dataset({"x": ("a", np.array([object()], dtype=object))})
    with pytest.raises(ValueError):
        io.write_dataset(bad, target)
    assert list(tmp_path.iterdir()) == []


def test_killed_writer_leaves_old_file_intact(tmp_path):
    """SIGKILL during a large write: the target is either the old file or absent, never partial."""
    target = tmp_path / "big.nc"
    io.write_dataset(_dataset(), target)
    script = textwrap.dedent(
        f"""
        import numpy as np, xarray as xr
        from eoc import io
        ds = xr.Dataset({{"x": ("n", np.zeros(200_000_000))}})
        print("writing", flush=True)
        io.write_dataset(ds, {str(target)!r})
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with xr.open_dataset(target) as back:
        assert "C0" in back


def test_check_writable_names_the_folder(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # root ignores permission bits
            pytest.skip("running as root: permission bits do not apply")
        with pytest.raises(InputError, match="is not writable"):
            io.check_writable(locked / "x.nc")
    finally:
        locked.chmod(0o700)
    with pytest.raises(InputError, match="is a directory"):
        io.check_writable(tmp_path)


def test_check_writable_rejects_folder_under_a_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(InputError, match="cannot be created"):
        io.check_writable(blocker / "sub" / "x.nc")


def test_provenance_attributes():
    attrs = io.provenance({"g": [1.0, 2.0]}, mpi_size=3, mpi_library="MPICH")
    assert json.loads(attrs["config"]) == {"g": [1.0, 2.0]}
    assert attrs["mpi_size"] == 3 and attrs["mpi_library"] == "MPICH"
    for key in ("eoc_version", "git_revision", "host", "created_utc", "numpy_version"):
        assert attrs[key]


def test_rank_from_launcher_environment(monkeypatch):
    for variable in ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "SLURM_PROCID"):
        monkeypatch.delenv(variable, raising=False)
    assert process_rank() == 0
    monkeypatch.setenv("PMI_RANK", "2")
    assert process_rank() == 2


def test_only_rank_zero_logs_info(monkeypatch, capsys):
    configure("INFO")
    logger = get_logger("test")
    monkeypatch.setenv("PMI_RANK", "1")
    logger.info("hidden")
    logger.warning("shown")
    monkeypatch.setenv("PMI_RANK", "0")
    logger.info("visible")
    err = capsys.readouterr().err
    assert "hidden" not in err
    assert "[rank 1] WARNING eoc.test: shown" in err
    assert "[rank 0] INFO eoc.test: visible" in err
    assert logging.getLogger("eoc").handlers  # configure attached one handler
    configure("INFO")
    assert len(logging.getLogger("eoc").handlers) == 1


def test_command_line_help_lists_every_subcommand():
    out = subprocess.run([sys.executable, "-m", "eoc", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for name in ("dmft", "simulate", "merge", "figures"):
        assert name in out.stdout


@pytest.fixture
def umask():
    """Set the process umask for one test; the old one is restored afterwards."""
    old = os.umask(0o022)
    os.umask(old)

    def set_umask(mask):
        os.umask(mask)

    yield set_umask
    os.umask(old)


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_written_files_are_readable_as_the_umask_says(tmp_path, umask, mask, mode):
    """Results, figures and checkpoints: mkstemp alone would give 0600 whatever the umask."""
    import matplotlib.pyplot as plt

    from eoc.figures.style import save
    from eoc.simulate import checkpoint
    from eoc.simulate.parallel import SerialComm

    umask(mask)
    result = io.write_dataset(_dataset(), tmp_path / "result.nc")
    figure = plt.figure()
    figures = save(figure, tmp_path / "figures", "empty")
    plt.close(figure)
    state = tmp_path / "run.ckpt"
    checkpoint.save(state, fingerprint="x", shared={"step": 1}, local={"h": np.zeros(2)}, comm=SerialComm())
    for path in (result, *figures, state):
        assert path.stat().st_mode & 0o777 == mode, path


def test_provenance_has_the_cf_global_attributes_and_the_tree_state():
    attrs = io.provenance({}, title="a test file")
    assert attrs["Conventions"] == "CF-1.10" and attrs["title"] == "a test file"
    assert attrs["source"].startswith("eoc ") and attrs["references"]
    assert attrs["created_utc"] in attrs["history"]
    assert attrs["git_tree_dirty"] in ("yes", "no", "unknown")
    assert attrs["numba_threads"] >= 1


def test_check_writable_probes_by_writing_and_creates_nothing(tmp_path):
    target = tmp_path / "new" / "deeper" / "x.nc"
    assert io.check_writable(target) == target
    assert not (tmp_path / "new").exists() and list(tmp_path.iterdir()) == []  # no folder, no probe left
    with pytest.raises(InputError, match="is not writable"):  # root too: writing under /sys fails
        io.check_writable("/sys/eoc-test/x.nc")


def test_atomic_write_removes_parts_of_killed_writers_and_keeps_live_ones(tmp_path):
    import socket
    import subprocess

    target = tmp_path / "r.nc"
    dead = subprocess.Popen(["true"])
    dead.wait()  # a PID that no longer runs
    host = socket.gethostname()
    killed = tmp_path / f".r.nc.{dead.pid}@{host}.abc123.part"
    live = tmp_path / f".r.nc.{os.getpid()}@{host}.def456.part"
    other = tmp_path / f".other.nc.{dead.pid}@{host}.abc123.part"
    for part in (killed, live, other):
        part.write_text("partial")
    with io.atomic(target) as tmp:
        Path(tmp).write_text("done")
    assert target.read_text() == "done"
    assert not killed.exists() and live.exists() and other.exists()
    with pytest.raises(RuntimeError), io.atomic(target) as tmp:
        raise RuntimeError("the writer fails")
    assert target.read_text() == "done" and sorted(tmp_path.iterdir()) == sorted([target, live, other])
