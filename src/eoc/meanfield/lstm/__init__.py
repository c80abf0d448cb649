"""Mean-field (N = ∞) theory of the full discrete-time LSTM with all four gates (docs/meanfield-lstm.md).

Public API: :func:`solve` (one point → :class:`Solution`), :func:`solve_grid` (outer-product grid
→ the dmft_lstm.nc Dataset), :func:`onset_gain` (g_c(σ_b)). The modules: ``parameters`` (gains,
bias means, σ_b of one point), ``options`` (numerical options), ``static`` (fixed-point branch,
its stability, the onset), ``gates`` (gate statistics from C_h(0)), ``processes`` (stationary
Gaussian processes by circulant embedding), ``unit`` (the scalar recursion and its tangent
process), ``stationary`` (the sampled self-consistency for C_h(τ) and λ_max), ``solution`` (one
point), ``grid`` (the grid solve).
"""

from eoc.meanfield.lstm.grid import solve_grid
from eoc.meanfield.lstm.options import Options
from eoc.meanfield.lstm.solution import Solution, solve
from eoc.meanfield.lstm.static import onset_gain

__all__ = ["Options", "Solution", "onset_gain", "solve", "solve_grid"]
