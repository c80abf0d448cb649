"""The adaptive run length (issue 14): a run continues past ``steps`` until every point's λ_max
standard error is at most ``target_stderr`` or ``max_steps`` steps were measured.

What is checked: the target reached, or the limit hit and said so; the extended run equals a fixed
run of the same length (every observable uses all measured steps); a run killed during an extension
resumes to the identical result; with the target off, or met at once, the result is the fixed
run's; bad values are refused by name. Tiny chaotic rate networks: seconds.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest
import xarray as xr

from eoc import InputError
from eoc.simulate import Options, run
from eoc.simulate import checkpoint as checkpoints

#: Two small rate networks stepped together: 400 steps measure λ_max only to about ±0.03 per unit
#: time, so a target below that extends the run.
RATE = dict(model="rate", g=[6.0], sigma_b=[0.0], N=32, seed=[0, 1], steps=400, transient=200, k=1, n_lags=10)
TIMING = ("wall_time",)


def _same(a: xr.Dataset, b: xr.Dataset) -> None:
    assert set(a.data_vars) == set(b.data_vars)
    for name in a.data_vars:
        if name not in TIMING:
            xr.testing.assert_identical(a[name], b[name])


@pytest.fixture(scope="module")
def fixed():
    return run(**RATE, progress=False)


@pytest.fixture(scope="module")
def target(fixed):
    """Below the base run's smallest standard error: the base length does not reach it."""
    return 0.8 * float(fixed["lyapunov_max_stderr"].min())


@pytest.fixture(scope="module")
def adaptive(target):
    return run(**RATE, target_stderr=target, max_steps=40 * RATE["steps"], progress=False)


def test_the_target_is_reached_and_the_run_equals_a_fixed_run_of_that_length(fixed, target, adaptive):
    assert (fixed["lyapunov_max_stderr"] > target).all()  # the base length does not reach it
    assert (adaptive["lyapunov_max_stderr"] <= target).all()
    measured = np.unique(adaptive["steps_measured"])
    assert measured.size == 1 and RATE["steps"] < measured[0] < 40 * RATE["steps"]
    assert (fixed["steps_measured"] == RATE["steps"]).all()
    # every observable (exponent, its error, C0, autocorrelation, status) averages over all measured steps
    _same(adaptive, run(**{**RATE, "steps": int(measured[0])}, progress=False))


def test_the_step_limit_stops_the_run_and_says_so(fixed, caplog):
    limit = 2 * RATE["steps"]
    with caplog.at_level(logging.INFO, logger="eoc"):
        ds = run(**RATE, target_stderr=1e-9, max_steps=limit, progress=False)
    assert (ds["steps_measured"] == limit).all()
    assert (ds["lyapunov_max_stderr"] > 1e-9).all()
    assert f"step limit max_steps={limit} reached with lambda_max stderr above the target 1e-09 at 2 point(s)" in (
        caplog.text
    )
    assert f"after {limit} measured steps" in caplog.text  # the per-cell log line


@pytest.mark.parametrize(
    "options",
    [dict(), dict(target_stderr=1e3, max_steps=10_000), dict(target_stderr=1e-9, max_steps=RATE["steps"])],
    ids=["off", "met-at-once", "limit-equals-steps"],
)
def test_without_an_extension_the_result_is_the_fixed_runs(fixed, options):
    _same(run(**RATE, **options, progress=False), fixed)


class Interrupt(BaseException):
    """Stands for a kill: not an Exception, so nothing on the way catches it."""


@pytest.mark.parametrize("after", [0, 30], ids=["at-the-decision", "mid-extension"])
def test_a_run_killed_during_an_extension_resumes_to_the_identical_result(
    tmp_path, monkeypatch, target, adaptive, after
):
    """Interrupted just after the checkpoint at the end of the base length (where the extension is
    decided) or ``after`` renormalisations into the extension, the resumed run equals the
    uninterrupted one."""
    out, ckpt = tmp_path / "r.nc", tmp_path / "r.ckpt"
    base_end = RATE["transient"] + RATE["steps"]
    original_save = checkpoints.save

    def save(path, **kwargs):
        original_save(path, **kwargs)
        if int(kwargs["local"]["step"]) == base_end + 10 * after:
            raise Interrupt

    monkeypatch.setattr(checkpoints, "save", save)
    fields = dict(**RATE, target_stderr=target, max_steps=40 * RATE["steps"], progress=False)
    with pytest.raises(Interrupt):
        run(**fields, out=out, checkpoint=ckpt, checkpoint_seconds=0)
    monkeypatch.undo()
    resumed = run(**fields, out=out, checkpoint=ckpt, checkpoint_seconds=0)
    _same(resumed, adaptive)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.nc"]


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(target_stderr=0.01), "target_stderr=0.01 needs max_steps too"),
        (dict(max_steps=9000), "max_steps=9000 needs target_stderr too"),
        (dict(target_stderr=0.01, max_steps=399), "max_steps=399 is below steps=400"),
        (dict(target_stderr=-1, max_steps=9000), "target_stderr must be > 0, got -1"),
        (dict(target_stderr=float("nan"), max_steps=9000), "target_stderr must be finite, got nan"),
        (dict(target_stderr=0.01, max_steps=9000.5), "max_steps must be an integer >= 1, got 9000.5"),
        (dict(target_stderr=0.01, max_steps=9000, k=0), "target_stderr=0.01 needs k >= 1"),
    ],
)
def test_bad_values_are_refused_by_name(options, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace("+", r"\+")):
        Options(**{**RATE, **options})
