"""Dynamical mean-field theory of the rate model (science.md §2–3).

Public API (docs/interfaces.md): :func:`solve` (one point → :class:`Solution`), :func:`solve_grid`
(outer-product grid → the dmft.nc Dataset), :func:`static_map` (the draft's f_g) and
:func:`fixed_point_boundary` (g_c(σ_b)). The modules: ``gaussian`` (Gaussian expectations),
``static`` (static solution, stability, boundary), ``chaotic`` (energy-conservation solution, λ²),
``curve`` (C(τ) by quadrature), ``lyapunov`` (Schrödinger problem), ``grid`` (the grid solve),
``options`` (solver options and defaults).
"""

from eoc.meanfield.rate.grid import Solution, solve, solve_grid
from eoc.meanfield.rate.options import Options
from eoc.meanfield.rate.static import fixed_point_boundary, static_map

__all__ = ["Options", "Solution", "fixed_point_boundary", "solve", "solve_grid", "static_map"]
