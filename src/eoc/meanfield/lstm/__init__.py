"""Mean-field (N = ∞) theory of the full discrete-time LSTM with all four gates (docs/meanfield-lstm.md).

Public API: :func:`solve` (one point → :class:`Solution`), :func:`solve_grid` (outer-product grid
→ the dmft_lstm.nc Dataset), :func:`onset_gain` (g_c(σ_b)). The modules: ``parameters`` (gains,
bias means, σ_b of one point), ``options`` (numerical options), ``static`` (fixed-point branch,
its stability, the onset), ``gates`` (gate statistics from C_h(0)), ``processes`` (stationary
Gaussian processes by circulant embedding), ``unit`` (the scalar recursion and its tangent
process), ``stationary`` (the sampled self-consistency for C_h(τ) and λ_max), ``solution`` (one
point), ``grid`` (the grid solve).
"""

from eoc import lazy

#: Public name -> the module that defines it; imported on first use (PEP 562), so that the command
#: line can read the solver's defaults (``options``) without importing scipy.
_EXPORTS = {
    "Options": "options",
    "Solution": "solution",
    "onset_gain": "static",
    "solve": "solution",
    "solve_grid": "grid",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy.exports(__name__, _EXPORTS, globals())
