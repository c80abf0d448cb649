"""The rate model's nonlinearity φ = tanh, its derivatives and its antiderivative Φ = ln cosh.

All functions act elementwise on numpy arrays of pre-activations h (dimensionless).
"""

from __future__ import annotations

import numpy as np


def phi(h):
    """φ(h) = tanh h."""
    return np.tanh(h)


def dphi(h):
    """φ'(h) = 1 − tanh² h = sech² h."""
    t = np.tanh(h)
    return 1.0 - t * t


def log_cosh(h, tanh_h=None):
    """Φ(h) = ln cosh h (Φ' = φ), accurate for small |h| (≈ h²/2) and free of overflow for large |h|.

    With t = tanh|h|: Φ = −½ log1p(−t²) for |h| < 1/2, and Φ = |h| − log1p(t) above (from
    1 + e^{−2|h|} = 2/(1 + t)). ``tanh_h``, if given, is tanh h, to save recomputing it.
    """
    a = np.abs(h)
    t = np.tanh(a) if tanh_h is None else np.abs(tanh_h)
    small = np.minimum(t, 0.5)  # tanh(1/2) < 1/2: the clip only touches the unused branch
    return np.where(a < 0.5, -0.5 * np.log1p(-small * small), a - np.log1p(t))
