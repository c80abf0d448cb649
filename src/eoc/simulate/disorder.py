"""The quenched disorder of one network realisation (N, seed), drawn the same on any number of ranks.

For every (g, σ_b) of a batch the weights are g·Z/√N and the biases σ_b·ξ + μ with Z, ξ standard
normal: only Z/√N and ξ are stored, and the gains and bias scales are applied to the rows of the
matrix product afterwards (:mod:`eoc.simulate.lstm`, :mod:`eoc.simulate.rate`).

Reproducibility across rank counts: unit j owns a fixed block of random numbers, a counter-based
Philox stream keyed by ``SeedSequence(seed, spawn_key=(WEIGHT_STREAM, j))``. From it come, in order,
the G rows of the stacked matrix that feed unit j (one per gate: f, i, o, c for the LSTM; one for the
rate model) and then its G bias values. A rank draws only the blocks of its own units, straight into
its preallocated row block (no full-size temporaries; float32 weights are float64 draws rounded row
by row, so a float32 run simulates the same network), so the network is bit-identical on 1, 2 or 3
ranks, also when the rank count does not divide N. The initial state and tangent vectors are O(N)
and drawn whole by every rank from their own streams.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WEIGHT_STREAM, STATE_STREAM, TANGENT_STREAM = 0, 1, 2


def stream(seed: int, kind: int, index: int = 0) -> np.random.Generator:
    """The counter-based generator of block ``index`` of stream ``kind`` of network ``seed``."""
    return np.random.Generator(np.random.Philox(np.random.SeedSequence(seed, spawn_key=(kind, index))))


@dataclass
class Disorder:
    """One rank's share of a network: rows of Z/√N for its units and their bias directions ξ.

    ``weights`` has shape (G·n_local, N), gate-major: row ``a·n_local + (j − start)`` feeds unit j
    through gate a. ``bias`` has shape (G, n_local).
    """

    weights: np.ndarray
    bias: np.ndarray
    units: slice

    @classmethod
    def draw(cls, *, n: int, seed: int, gates: int, units: slice, dtype=np.float64) -> Disorder:
        n_local = units.stop - units.start
        weights = np.empty((gates * n_local, n), dtype=dtype)
        bias = np.empty((gates, n_local))
        # float64 draws for every dtype (the same network in float32); other dtypes via a one-row buffer
        row_buffer = None if weights.dtype == np.float64 else np.empty(n)
        scale = 1.0 / np.sqrt(n)
        for local, unit in enumerate(range(units.start, units.stop)):
            rng = stream(seed, WEIGHT_STREAM, unit)
            for gate in range(gates):
                row = weights[gate * n_local + local]
                draw = row if row_buffer is None else row_buffer
                rng.standard_normal(out=draw)
                draw *= scale
                if row_buffer is not None:
                    row[...] = row_buffer
            bias[:, local] = rng.standard_normal(gates)
        return cls(weights=weights, bias=bias, units=units)


def initial_state(seed: int, dim: int, *, scale: float = 1.0) -> np.ndarray:
    """The full initial state vector (length ``dim``), N(0, scale²) entries, the same for every point."""
    return scale * stream(seed, STATE_STREAM).standard_normal(dim)


def initial_tangents(seed: int, dim: int, k: int) -> np.ndarray:
    """The full (dim, k) matrix of initial tangent vectors (orthonormalised by the first QR)."""
    return stream(seed, TANGENT_STREAM).standard_normal((dim, k))
