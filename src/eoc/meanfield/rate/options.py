"""Solver options of the DMFT (keyword-only everywhere), their defaults and their validation."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from eoc import validation
from eoc.meanfield.rate.gaussian import DEFAULT_INNER_NODES, DEFAULT_NODES

_INTEGER_MINIMA = {
    "nodes": 2,
    "inner_nodes": 2,
    "chebyshev_degree": 4,
    "box_points": 8,
    "c0_trial_count": 2,
    "maxiter": 1,
}
_POSITIVE = ("tau_max", "tau_step", "box_decay_lengths", "min_box", "c0_trial_max")


@dataclass(frozen=True)
class Options:
    """Numerical options; the defaults are converged (tests/test_dmft_dynamics.py).

    nodes: points of the normal rule (:mod:`eoc.meanfield.rate.gaussian`) of one-dimensional expectations and
        of the outer (shared) variable of two-dimensional ones; inner_nodes: points of the inner one.
    chebyshev_degree: degree of the interpolant of λ²(C) on [C∞, C0].
    tau_max, tau_step: the output grid τ = 0, tau_step, …, tau_max of ``autocorr`` (units of t).
    box_decay_lengths: the Schrödinger box half-width in correlation times 1/λ (at least
        ``min_box``); box_points: grid points per half-width.
    c0_trial_max, c0_trial_count: the abscissa C0_trial of ``f_g`` (the draft's figures 1–2).
    maxiter: iteration limit of each root finder (a point that needs more is reported, not fatal).
    """

    nodes: int = DEFAULT_NODES
    inner_nodes: int = DEFAULT_INNER_NODES
    chebyshev_degree: int = 48
    tau_max: float = 50.0
    tau_step: float = 0.1
    box_decay_lengths: float = 20.0
    min_box: float = 60.0
    box_points: int = 3000
    c0_trial_max: float = 10.0
    c0_trial_count: int = 201
    maxiter: int = 60

    def __post_init__(self):
        for name, minimum in _INTEGER_MINIMA.items():
            object.__setattr__(self, name, validation.integer(name, getattr(self, name), minimum=minimum))
        for name in _POSITIVE:
            object.__setattr__(self, name, validation.positive(name, getattr(self, name)))

    def as_dict(self) -> dict:
        return asdict(self)
