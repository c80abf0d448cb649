"""Mean and spread of the sigmoid gates f, i, o over units and time at N = ∞.

At N = ∞ the pre-activation of gate x, pooled over units and time, is N(μ_x, σ_x² C_h(0) + σ_b²)
(the total variance: static plus dynamic part), so the gate's mean and spread are one-dimensional
Gaussian expectations of σ. This is what the simulation's ``gate_mean``/``gate_std`` estimate
(:meth:`eoc.simulate.engine.Engine.results`: mean and standard deviation of the gate over all
units and measured steps together).
"""

from __future__ import annotations

import numpy as np

from eoc.meanfield.lstm.parameters import Parameters
from eoc.meanfield.rate.gaussian import normal_rule

#: Points of the normal rule (trapezoidal, :mod:`eoc.meanfield.rate.gaussian`): exact to rounding here.
NODES = 161


def gate_statistics(params: Parameters, C0: float) -> tuple[np.ndarray, np.ndarray]:
    """(mean, standard deviation) of σ(a_x) for x = f, i, o, shape (3,) each."""
    z, w = normal_rule(NODES)
    std = np.sqrt(params.field_variance(C0))[:3]
    gates = 0.5 * (1.0 + np.tanh(0.5 * (params.mean_array[:3, None] + std[:, None] * z[None, :])))
    mean = gates @ w
    return mean, np.sqrt(np.maximum((gates**2) @ w - mean**2, 0.0))
