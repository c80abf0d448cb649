"""The physical parameters of one LSTM point: gains per gate, bias means, bias spread.

Conventions of docs/science.md §1.1: U_x has iid entries N(0, σ_x²/N) with σ_x = g unless a per-gate
gain is given, biases b_x ~ N(μ_x, σ_b²), gates ordered f, i, o, c as in :mod:`eoc.simulate.lstm`.
Unlike the simulation, a gate gain may be zero here (the gate is then frozen at σ(μ_x) when
σ_b = 0: the reduced map of the validation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eoc import validation
from eoc.simulate.lstm import GATES


@dataclass(frozen=True)
class Parameters:
    """One point (g, σ_b) with per-gate gains ``gains`` (σ_f, σ_i, σ_o, σ_c) and means ``means``."""

    g: float
    sigma_b: float
    gains: tuple[float, float, float, float]
    means: tuple[float, float, float, float]

    @classmethod
    def make(cls, g, sigma_b, *, gate_gains=None, bias_means=None) -> Parameters:
        """Check the inputs (InputError naming the bad value) and fill the per-gate defaults."""
        g = validation.positive("g", g)
        sigma_b = validation.nonnegative("sigma_b", sigma_b)
        gate_gains, bias_means = dict(gate_gains or {}), dict(bias_means or {})
        for name, per_gate in (("gate gains", gate_gains), ("bias means", bias_means)):
            for gate in per_gate:
                validation.choice(f"gate of the {name}", gate, GATES)
        gains = tuple(validation.nonnegative(f"gain of gate {x}", gate_gains.get(x, g)) for x in GATES)
        means = tuple(validation.finite(f"bias mean of gate {x}", bias_means.get(x, 0.0)) for x in GATES)
        return cls(g, sigma_b, gains, means)

    @property
    def gain_array(self) -> np.ndarray:
        return np.array(self.gains)

    @property
    def mean_array(self) -> np.ndarray:
        return np.array(self.means)

    def field_variance(self, C_h: float) -> np.ndarray:
        """Variance σ_x² C_h + σ_b² of each gate's pre-activation for hidden-state covariance C_h, (4,)."""
        return self.gain_array**2 * C_h + self.sigma_b**2
