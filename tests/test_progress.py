"""Progress of a long run off a terminal: periodic log lines with step, rate, ETA and the running
λ_max estimate; checkpoint writes logged; the tqdm bar only on a terminal."""

import logging

import numpy as np
import pytest

from eoc.simulate.progress import Progress

log = logging.getLogger("test.progress")


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def reporter(clock, *, terminal=False, enabled=True, initial=0):
    return Progress(
        total=1000,
        initial=initial,
        log=log,
        enabled=enabled,
        terminal=terminal,
        time_unit="tau",
        interval=60.0,
        clock=clock,
    )


def test_lines_every_interval_with_rate_eta_and_estimate(caplog):
    caplog.set_level(logging.INFO, logger="test.progress")
    clock = Clock()
    progress = reporter(clock)
    for step in range(10, 1001, 10):  # 10 steps every 2 s: 5 steps/s
        clock.now += 2.0
        progress.update(step, None if step <= 200 else np.array([0.25]))
    progress.close(np.array([0.25]))
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 4  # at 60, 120 and 180 s of the 200 s, and the last
    assert lines[0] == "step 300/1000 (30%), 5 steps/s, ETA 0:02:20, lambda_max 0.25 (per tau)"
    assert lines[-1] == "step 1000/1000 (100%), 5 steps/s, ETA 0:00:00, lambda_max 0.25 (per tau)"


def test_transient_batches_and_resumed_runs(caplog):
    caplog.set_level(logging.INFO, logger="test.progress")
    clock = Clock()
    progress = reporter(clock, initial=500)  # resumed at step 500: the rate counts this run's steps
    clock.now = 100.0
    progress.update(600, np.array([np.nan, np.nan]))
    clock.now = 200.0
    progress.update(700, np.array([-0.5, 0.125, np.nan]))
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "step 600/1000 (60%), 1 steps/s, ETA 0:06:40, lambda_max (transient)"
    assert lines[1].endswith("lambda_max -0.5 .. 0.125 over 2 points (per tau)")


@pytest.mark.parametrize("terminal, enabled", [(True, True), (False, False)])
def test_no_lines_on_a_terminal_or_another_rank_but_checkpoints_logged(caplog, terminal, enabled):
    caplog.set_level(logging.INFO, logger="test.progress")
    clock = Clock()
    progress = reporter(clock, terminal=terminal, enabled=enabled)
    assert progress.bar.disable == (not (terminal and enabled))
    clock.now = 1000.0
    progress.update(500, np.array([0.1]))
    progress.checkpoint("run.ckpt", 500)
    progress.close()
    lines = [r.getMessage() for r in caplog.records]
    assert lines == (["checkpoint written at step 500/1000: run.ckpt"] if enabled else [])
