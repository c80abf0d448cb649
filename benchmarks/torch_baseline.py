"""The same trajectory and the same λ_max step the way a PyTorch user would compute them, on the CPU.

* Trajectory: ``torch.nn.LSTM(input_size=1, hidden_size=N)``, batch 1, a zero input sequence of
  ``steps`` steps in one call (PyTorch's fused CPU path: oneDNN in float32); time per step.
* λ_max: one step of the state and one tangent vector through ``torch.func.jvp`` of an
  ``LSTMCell`` step, (h, c) ↦ cell(0, (h, c)), with tangent (δh, δc); time per step.

The recurrent weights are 4N × N like the engine's, so the roofline bound is the same.
"""

from __future__ import annotations

import torch

from benchmarks.timing import Timing, time_call

_DTYPES = {"float64": torch.float64, "float32": torch.float32}


def _scaled(module: torch.nn.Module, n: int, dtype: str) -> torch.nn.Module:
    """The module in ``dtype``, its weights N(0, g²/N) with g = 3 (chaotic, like the engine's runs)."""
    module = module.to(_DTYPES[dtype])
    with torch.no_grad():
        for name, parameter in module.named_parameters():
            if name.startswith("weight_hh"):
                parameter.normal_(0.0, 3.0 / n**0.5)
    return module


def trajectory_step(*, n: int, dtype: str, thread_count: int, steps: int, repeats: int) -> Timing:
    """Seconds per step of ``torch.nn.LSTM`` over a zero input sequence of ``steps`` steps."""
    torch.set_num_threads(thread_count)
    torch.manual_seed(0)
    lstm = _scaled(torch.nn.LSTM(input_size=1, hidden_size=n), n, dtype)
    inputs = torch.zeros(steps, 1, 1, dtype=_DTYPES[dtype])
    state = (torch.randn(1, 1, n, dtype=_DTYPES[dtype]), torch.zeros(1, 1, n, dtype=_DTYPES[dtype]))
    with torch.inference_mode():
        timing = time_call(lambda: lstm(inputs, state), repeats=repeats)
    return Timing(timing.best / steps, timing.median / steps, timing.repeats)


def jvp_step(*, n: int, dtype: str, thread_count: int, repeats: int) -> Timing:
    """Seconds per step of state + one tangent vector through ``torch.func.jvp`` of an LSTMCell."""
    torch.set_num_threads(thread_count)
    torch.manual_seed(0)
    cell = _scaled(torch.nn.LSTMCell(input_size=1, hidden_size=n), n, dtype)
    zero_input = torch.zeros(1, 1, dtype=_DTYPES[dtype])
    h, c = torch.randn(1, n, dtype=_DTYPES[dtype]), torch.zeros(1, n, dtype=_DTYPES[dtype])
    tangent = (torch.randn(1, n, dtype=_DTYPES[dtype]), torch.randn(1, n, dtype=_DTYPES[dtype]))

    def step(h, c):
        return cell(zero_input, (h, c))

    with torch.no_grad():
        return time_call(lambda: torch.func.jvp(step, (h, c), tangent), repeats=repeats, min_seconds=0.2)
