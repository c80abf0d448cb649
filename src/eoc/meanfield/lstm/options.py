"""Numerical options of the LSTM mean-field solver, their defaults and their validation."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from eoc import validation
from eoc.errors import InputError

_INTEGER_MINIMA = {
    "paths": 16,
    "coarse_paths": 16,
    "steps": 64,
    "burn_in": 0,
    "lags": 8,
    "max_iterations": 1,
    "fine_iterations": 0,
    "batches": 1,
    "replicas": 2,
    "chunk": 1,
    "nodes": 8,
    "seed": 0,
}


@dataclass(frozen=True)
class Options:
    """Numerical options. The defaults aim at issue 11's accuracy; benchmarks/bench_meanfield_lstm.py
    measures what they reach (g = 3, σ_b = 0: 4–6e-4 relative in C_h(0) and ~1.5e-4 per step in
    λ_max between seeds, ~20 s of one core).

    paths: sampled units (independent paths) per evaluation of the self-consistency map in the
        averaged iterations; coarse_paths: per evaluation in the coarse phase.
    steps: length T of each path after burn-in (the Gaussian processes are sampled periodic with
        period T by circulant embedding); burn_in: steps run before recording (from c = 0).
    lags: the lag window L: C_h(τ) is iterated for τ = 0 … L−1 and its connected part is taken
        as zero beyond (the last quarter of the window is tapered and sets C_h(∞)).
    damping: weight of the new estimate in each coarse update, 0 < damping ≤ 1 (the map
        contracts with a positive slope, 0.4–0.7 measured at g = 4–2.5, so undamped is fastest).
    coarse_tolerance: relative change of C_h(0) (and |ln r|) below which the coarse phase ends;
        raised to three standard errors of an evaluation where its noise is larger.
    max_iterations: iteration limit of the coarse phase.
    replicas: independent continuations of the shared approach, each with its own random stream;
        the result is their mean, every error their scatter / √replicas.
    fine_iterations: undamped iterations per replica with ``coarse_paths`` paths that finish the
        slow approach and decorrelate it from the shared start (then one iteration per doubling
        of the number of paths up to ``paths``).
    batches: undamped iterations per replica with ``paths`` paths after those, whose outputs are
        averaged.
    chunk: paths sampled at once (memory: about 56·chunk·(steps + burn_in) bytes). Small enough
        that a chunk's fields stay in a core's L2 cache: 64 is 1.6× faster than 256 on a 2 MiB L2.
    nodes: points per dimension of the quadrature of the static (fixed-point) equations.
    seed: seed of the sampled paths (results are reproducible for a given seed).
    """

    paths: int = 2048
    coarse_paths: int = 512
    steps: int = 1024
    burn_in: int = 64
    lags: int = 64
    damping: float = 1.0
    coarse_tolerance: float = 0.01
    max_iterations: int = 60
    fine_iterations: int = 24
    batches: int = 8
    replicas: int = 4
    chunk: int = 64
    nodes: int = 32
    seed: int = 0

    def __post_init__(self):
        for name, minimum in _INTEGER_MINIMA.items():
            object.__setattr__(self, name, validation.integer(name, getattr(self, name), minimum=minimum))
        for name in ("damping", "coarse_tolerance"):
            object.__setattr__(self, name, validation.positive(name, getattr(self, name)))
        if self.damping > 1:
            raise InputError(f"damping must be in (0, 1], got {self.damping!r}")
        if self.lags > self.steps // 4:
            raise InputError(
                f"lags must be at most steps/4 = {self.steps // 4} (the window must be short "
                f"against the path), got lags={self.lags} with steps={self.steps}"
            )

    def as_dict(self) -> dict:
        return asdict(self)
