"""Merging per-job results into the files of the data contract.

``combine``: :func:`merge_simulations`, :func:`merge_dmft` (xarray's combine functions, missing
cells reported).
"""

from eoc.merge.combine import MISSING, IncompleteGridError, merge_dmft, merge_dmft_lstm, merge_simulations

__all__ = ["MISSING", "IncompleteGridError", "merge_dmft", "merge_dmft_lstm", "merge_simulations"]
