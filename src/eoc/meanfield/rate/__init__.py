"""Dynamical mean-field theory of the rate model (docs/science.md §2–3).

Public API (docs/interfaces.md): :func:`solve` (one point → :class:`Solution`), :func:`solve_grid`
(outer-product grid → the dmft.nc Dataset), :func:`static_map` (the draft's f_g) and
:func:`fixed_point_boundary` (g_c(σ_b)). The modules: ``gaussian`` (Gaussian expectations),
``static`` (static solution, stability, boundary), ``chaotic`` (energy-conservation solution, λ²),
``curve`` (C(τ) by quadrature), ``lyapunov`` (Schrödinger problem), ``grid`` (the grid solve),
``options`` (solver options and defaults).
"""

from eoc import lazy

#: Public name -> the module that defines it; imported on first use (PEP 562), so that the command
#: line can read the solver's defaults (``options``) without importing scipy.
_EXPORTS = {
    "Options": "options",
    "Solution": "grid",
    "fixed_point_boundary": "static",
    "solve": "grid",
    "solve_grid": "grid",
    "static_map": "static",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy.exports(__name__, _EXPORTS, globals())
