"""The rate model's nonlinearity φ = tanh, its derivatives and its antiderivative Φ = ln cosh.

All functions act elementwise on numpy arrays of pre-activations h (dimensionless).
"""

from __future__ import annotations

import numpy as np

_LOG2 = np.log(2.0)


def phi(h):
    """φ(h) = tanh h."""
    return np.tanh(h)


def dphi(h):
    """φ'(h) = 1 − tanh² h = sech² h."""
    t = np.tanh(h)
    return 1.0 - t * t


def log_cosh(h):
    """Φ(h) = ln cosh h (Φ' = φ), accurate for small |h| (≈ h²/2) and free of overflow for large |h|.

    Small |h|: Φ = log1p(2 sinh²(h/2)); large |h|: Φ = |h| − ln 2 + log1p(e^{−2|h|}).
    """
    a = np.abs(h)
    small = np.minimum(a, 1.0)
    near_zero = np.log1p(2.0 * np.sinh(0.5 * small) ** 2)
    far = a - _LOG2 + np.log1p(np.exp(-2.0 * a))
    return np.where(a < 1.0, near_zero, far)
