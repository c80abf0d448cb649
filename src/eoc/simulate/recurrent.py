"""The one product per step with the recurrent matrix, for the state and all tangent vectors.

Each rank holds the rows of the stacked matrix Z/√N that feed its own units. The columns pushed
through it are assembled from every rank's row block (Allgatherv) and multiplied in a single
:func:`eoc.kernels.rows_times_columns` call, so the weights are read from memory once per product
for all points of the batch and all their tangent vectors together.
"""

from __future__ import annotations

import numpy as np

from eoc.kernels import rows_times_columns
from eoc.simulate.parallel import Partition


class RecurrentProduct:
    """``Z_local @ gather(columns_local)`` with a reused output buffer."""

    def __init__(self, weights: np.ndarray, comm, partition: Partition) -> None:
        self.weights = weights
        self.comm = comm
        self.partition = partition
        self._out: np.ndarray | None = None

    def keep(self, mask: np.ndarray) -> None:
        """The model dropped points (``mask`` False): nothing to do for one network's weights."""

    def __call__(self, local_columns: np.ndarray) -> np.ndarray:
        """Return the (rows_local, m) product for local columns of shape (n_local, m)."""
        columns = self.comm.allgather_rows(local_columns, self.partition)
        shape = (self.weights.shape[0], columns.shape[1])
        if self._out is None or self._out.shape != shape:
            self._out = np.empty(shape, dtype=self.weights.dtype)
        return rows_times_columns(self.weights, columns, out=self._out)
