"""Merging per-job results into the files of the data contract, and the sweep's grid.

``combine``: :func:`merge_simulations`, :func:`merge_dmft` (xarray's combine functions, missing
cells reported). ``grid``: canonical numbers in paths, blocks of batched jobs, job sizes from N.
"""

from eoc.merge.combine import MISSING, IncompleteGridError, merge_dmft, merge_simulations

__all__ = ["MISSING", "IncompleteGridError", "merge_dmft", "merge_simulations"]
