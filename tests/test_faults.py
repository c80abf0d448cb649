"""Fault injection, table-driven: a run interrupted anywhere (at a checkpoint, during one, during
the final write, or by SIGKILL at a random moment) resumes to the identical result; damaged
checkpoints give a clear message or are set aside; nothing is left behind.

Every case ends in an identical result, a clean message (exit 2), or a recorded cell — never a
traceback, a silent NaN or a lost result. Tiny networks: the whole file runs in about a minute.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import xarray as xr

from eoc import InputError, io
from eoc.simulate import checkpoint as checkpoints
from eoc.simulate import run

LSTM = dict(model="lstm", g=[1.5, 3.0], sigma_b=[0.0, 0.5], N=12, seed=3, steps=300, transient=60, k=2, n_lags=20)
RATE = dict(model="rate", g=[3.0], sigma_b=[0.0, 0.3], N=10, seed=1, steps=400, transient=100, k=1, n_lags=10)
#: Variables that may differ between an interrupted and an uninterrupted run.
TIMING = ("wall_time",)


def _same(resumed: xr.Dataset, reference: xr.Dataset) -> None:
    """Every variable identical (NaN where NaN), except the wall time."""
    assert set(resumed.data_vars) == set(reference.data_vars)
    for name in reference.data_vars:
        if name in TIMING:
            continue
        xr.testing.assert_identical(resumed[name], reference[name])
    for name in ("gate_mean", "gate_std"):  # issue 14: NaN gate statistics after a resume at the end
        if resumed.attrs.get("config", "").find('"lstm"') >= 0:
            assert np.isfinite(resumed[name]).all(), name


@pytest.fixture(scope="module", params=[LSTM, RATE], ids=["lstm", "rate"])
def case(request):
    return request.param, run(**request.param, progress=False)


class Interrupt(BaseException):
    """Stands for a kill: not an Exception, so nothing on the way catches it."""


@pytest.mark.parametrize(
    "where, nth",
    [("checkpoint", 1), ("checkpoint", 7), ("checkpoint", -1), ("final", 0)],
    ids=["after-first-checkpoint", "after-seventh", "after-last-checkpoint", "final-write"],
)
def test_interrupted_run_resumes_to_the_identical_result(tmp_path, monkeypatch, case, where, nth):
    fields, reference = case
    out, ckpt = tmp_path / "r.nc", tmp_path / "r.ckpt"
    saves = []
    original_save = checkpoints.save

    def save(path, **kwargs):
        original_save(path, **kwargs)
        saves.append(path)
        if where == "checkpoint" and len(saves) == nth:
            raise Interrupt

    def failing_write(ds, path):
        raise Interrupt

    total = (fields["steps"] + fields["transient"]) // 10
    if nth == -1:
        nth = total  # the checkpoint at the final step
    monkeypatch.setattr(checkpoints, "save", save)
    if where == "final":
        monkeypatch.setattr(io, "write_dataset", failing_write)
    with pytest.raises(Interrupt):
        run(**fields, out=out, checkpoint=ckpt, checkpoint_seconds=0, progress=False)
    assert ckpt.exists() and not out.exists()
    monkeypatch.undo()
    resumed = run(**fields, out=out, checkpoint=ckpt, checkpoint_seconds=0, progress=False)
    _same(resumed, reference)
    assert out.exists() and not ckpt.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.nc"]  # no parts, no checkpoint left


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda p: p.write_bytes(b""), "is empty"),
        (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "truncated or corrupt"),
        (lambda p: p.write_bytes(b"not a checkpoint at all" * 10), "truncated or corrupt"),
        (lambda p: p.write_bytes(p.read_bytes()[:200] + b"\0" * 1000 + p.read_bytes()[1200:]), "truncated or corrupt"),
    ],
    ids=["empty", "truncated", "garbage", "zeroed-block"],
)
def test_damaged_checkpoint_is_a_clear_message_or_is_set_aside(tmp_path, monkeypatch, case, damage, message):
    fields, reference = case
    out, ckpt = tmp_path / "r.nc", tmp_path / "r.ckpt"
    monkeypatch.setattr(io, "write_dataset", lambda ds, path: (_ for _ in ()).throw(Interrupt()))
    with pytest.raises(Interrupt):
        run(**fields, out=out, checkpoint=ckpt, checkpoint_seconds=0, progress=False)
    monkeypatch.undo()
    damage(ckpt)
    with pytest.raises(InputError, match=message):
        run(**fields, out=out, checkpoint=ckpt, progress=False)
    assert ckpt.exists() and not out.exists()  # nothing touched: the user decides
    resumed = run(**fields, out=out, checkpoint=ckpt, progress=False, damaged_checkpoint="restart")
    _same(resumed, reference)
    aside = [p.name for p in tmp_path.iterdir() if p.name.startswith("r.ckpt.damaged")]
    assert len(aside) == 1 and not ckpt.exists()


def test_checkpoint_equal_to_out_or_clashing_is_refused(tmp_path):
    out = tmp_path / "r.nc"
    out.write_text("an earlier result")
    for checkpoint in (out, tmp_path / "." / "r.nc", tmp_path / "sub" / ".." / "r.nc"):
        with pytest.raises(InputError, match=r"--checkpoint .* is the same file as --out"):
            run(**LSTM, out=out, checkpoint=checkpoint, progress=False)
    assert out.read_text() == "an earlier result"


KILLED = """
import sys
from eoc.simulate import run
run(model="lstm", g=[3.0], sigma_b=[0.0], N=16, seed=5, steps=3000, transient=100, k=1, n_lags=10,
    out=sys.argv[1], checkpoint=sys.argv[2], checkpoint_seconds=0, progress=False)
"""


def test_sigkill_at_random_moments_resumes_to_the_identical_result(tmp_path):
    """Kill the process at random moments (during steps, checkpoint writes or the final write)
    until a run completes; the result equals an uninterrupted run, and no temporary file is left."""
    reference_out = tmp_path / "reference.nc"
    warm = tmp_path / "warm.nc"  # the first run may compile the kernels (numba's cache is cold)
    subprocess.run([sys.executable, "-c", KILLED, str(warm), str(tmp_path / "warm.ckpt")], check=True)
    warm.unlink()
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", KILLED, str(reference_out), str(tmp_path / "reference.ckpt")], check=True)
    duration = time.perf_counter() - start  # kill moments scale with it: the test holds on a quiet or a busy machine
    out, ckpt = tmp_path / "r.nc", tmp_path / "r.ckpt"
    rng = np.random.default_rng(14)
    kills = 0
    for attempt in range(12):
        process = subprocess.Popen([sys.executable, "-c", KILLED, str(out), str(ckpt)])
        try:
            process.wait(timeout=rng.uniform(0.2, 0.9) * duration if attempt < 6 else None)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
            continue
        assert process.returncode == 0
        break
    assert out.exists() and kills >= 1
    with xr.open_dataset(out) as resumed, xr.open_dataset(reference_out) as reference:
        _same(resumed.load(), reference.load())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.nc", "reference.nc"]
