"""Dense products of a block of rows of a recurrent matrix with a few columns.

The engine calls :func:`rows_times_columns` once per step for the state and all tangent vectors
together, so that the weights are read from memory once per step.
"""

from __future__ import annotations

import numpy as np


def rows_times_columns(weights: np.ndarray, columns: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Return ``weights @ columns`` for ``weights`` (m, n) and ``columns`` (n, k)."""
    return np.matmul(weights, columns, out=out)
