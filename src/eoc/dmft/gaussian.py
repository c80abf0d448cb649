"""Gaussian expectations by Gauss–Hermite quadrature, vectorised over arrays of variances.

One-dimensional: ``mean(f, C0) = E[f(√C0 z)]``, z standard normal.

Two-dimensional: for jointly Gaussian (u, v) with equal variances C0 and covariance C, 0 ≤ C ≤ C0,
write u = √(C0−C) x + √C z, v = √(C0−C) y + √C z with x, y, z independent standard normals, so

    E[f(u) f(v)] = E_z[ (E_x f(√(C0−C) x + √C z))² ],

a nested rule with ``nodes`` points in z (outer) and ``inner_nodes`` points in x (inner).

Accuracy: the z-rule is the hard part. Its nodes are spaced ≈ π/√(2n) near the centre, and the
integrand f(√C0 z) varies on the scale 1/√C0, so the error grows quickly with C0 (n = 256: tanh²
6e-10 and sech⁴ 3e-8 at C0 = 4; tanh² 4e-7 at C0 = 8). At covariance 0 a pair expectation is the
square of the inner rule's one-dimensional mean. The node counts are options everywhere; the defaults
give ~1e-12 for C0 ≤ 1, ~1e-9 at C0 = 2 and ~1e-8 at C0 = 4 (tests/test_dmft_gaussian.py).
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.special import roots_hermitenorm

DEFAULT_NODES = 256
"""Default points of 1-D rules and of the outer variable of 2-D ones."""
DEFAULT_INNER_NODES = 64
"""Default points of the inner variable of 2-D rules."""


@functools.lru_cache(maxsize=16)
def hermite_rule(nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the ``nodes``-point probabilists' Gauss–Hermite rule, weights
    normalised to sum to one (so ``f(x) @ w ≈ E[f(z)]``). Read-only arrays."""
    x, w = roots_hermitenorm(nodes)
    w = w / w.sum()
    x.setflags(write=False)
    w.setflags(write=False)
    return x, w


def mean(f, variance, *, nodes: int):
    """E[f(√variance · z)] for each element of ``variance`` (array, ≥ 0).

    ``f`` maps an array of pre-activations to an array of the same shape."""
    x, w = hermite_rule(nodes)
    s = np.sqrt(np.asarray(variance, dtype=float))[..., None]
    return f(s * x) @ w


def pair_mean(f, covariance, variance, *, nodes: int, inner_nodes: int):
    """E[f(u) f(v)] for (u, v) Gaussian with variances ``variance`` and covariance ``covariance``.

    ``covariance`` and ``variance`` broadcast together; 0 ≤ covariance ≤ variance. ``f`` may return
    several functions stacked on a leading axis (shape ``(k,) + y.shape``); the result then has that
    leading axis too.
    """
    z, wz = hermite_rule(nodes)
    x, wx = hermite_rule(inner_nodes)
    c, c0 = np.broadcast_arrays(np.asarray(covariance, float), np.asarray(variance, float))
    spread = np.sqrt(np.maximum(c0 - c, 0.0))[..., None, None]
    shared = np.sqrt(c)[..., None, None]
    inner = f(spread * x + shared * z[:, None]) @ wx
    return (inner * inner) @ wz
