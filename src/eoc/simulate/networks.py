"""Many networks (seeds) in one process: their batches stacked into one, stepped together.

For small N one network cannot use a core: a step costs mostly the fixed work of the Python
layer (a few dozen element-wise array operations), not the product. A job over S seeds builds
each network as a one-seed run would (its own weights, biases, initial state and tangents),
then stacks them: the points of all networks form one batch of S·P points, ordered
(seed, g, σ_b), so every element-wise operation, QR and observable runs once per step for all of
them, and :class:`StackedProduct` multiplies each network's columns by that network's own weights.

Each network's product gets exactly the columns, in the order, that its one-seed run would give
it, and everything else acts point by point, so the results equal the one-seed runs'.
"""

from __future__ import annotations

import numpy as np

#: Per-point arrays of a model, stacked along their last axis (the points).
POINT_ARRAYS = ("gains", "bias")


class StackedProduct:
    """The products of S networks, each with its own weights, over one stacked batch of columns.

    The columns are those of a model's step, [x_1 … x_A, δ of point 1 (k columns) … δ of point A]
    for the A active points (network-major); point a belongs to network ``network[a]``. Each
    network's points are contiguous, so network s gets [x_a … x_b, δ_a … δ_b] and its own
    :class:`eoc.simulate.recurrent.RecurrentProduct` (with its MPI gather) does the product.
    """

    def __init__(self, products, points_per_network: int) -> None:
        self.products = list(products)
        self.partition = self.products[0].partition
        self.network = np.repeat(np.arange(len(self.products)), points_per_network)

    def keep(self, mask: np.ndarray) -> None:
        """Drop the points where ``mask`` is False (the model drops them from its batch too)."""
        self.network = self.network[mask]

    def __call__(self, local_columns: np.ndarray) -> np.ndarray:
        active = self.network.size
        k = local_columns.shape[1] // active - 1
        out = None
        for index, product in enumerate(self.products):
            points = np.flatnonzero(self.network == index)
            if not points.size:
                continue
            a, b = points[0], points[-1] + 1
            columns = np.concatenate([local_columns[:, a:b], local_columns[:, active + a * k : active + b * k]], axis=1)
            result = product(columns)
            if out is None:
                out = np.empty((result.shape[0], local_columns.shape[1]), dtype=result.dtype)
            out[:, a:b] = result[:, : b - a]
            out[:, active + a * k : active + b * k] = result[:, b - a :]
        return out


def stack(networks: list):
    """One dynamics stepping all ``networks`` (the same model and options but for the seed): the
    first one, with the others' points appended to its batch and a :class:`StackedProduct`."""
    if len(networks) == 1:
        return networks[0]
    first = networks[0]
    points = first.state.shape[1]
    for name in POINT_ARRAYS:
        setattr(first, name, np.concatenate([getattr(n, name) for n in networks], axis=-1))
    first.state = np.concatenate([n.state for n in networks], axis=1)
    first.tangents = np.concatenate([n.tangents for n in networks], axis=1)
    first.product = StackedProduct([n.product for n in networks], points)
    return first
