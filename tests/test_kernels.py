"""eoc.kernels: the product weights @ columns equals numpy's to rounding on every dispatch branch."""

from __future__ import annotations

import numpy as np
import pytest

from eoc import kernels
from eoc.errors import InputError
from eoc.kernels import FUSED_MAX_COLUMNS, PANEL_MAX_COLUMNS, product_method, rows_times_columns

# Odd shapes: m is not a multiple of the 4-row blocks, n is prime.
M, N = 4 * 7 + 3, 37
DTYPES = (np.float32, np.float64)


def _operands(dtype, k, *, m=M, n=N, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, n)).astype(dtype), rng.standard_normal((n, k)).astype(dtype)


def _assert_product(result, weights, columns):
    """|result - W X| ≤ 2 n eps (|W| |X|): the rounding bound of any summation order."""
    exact = weights.astype(np.float64) @ columns.astype(np.float64)
    scale = np.abs(weights.astype(np.float64)) @ np.abs(columns.astype(np.float64))
    tolerance = 2 * weights.shape[1] * np.finfo(weights.dtype).eps * scale
    assert result.shape == exact.shape
    assert result.dtype == weights.dtype
    assert np.all(np.abs(result - exact) <= tolerance)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 8, 9, 13, 16, 17, 32, 33, 48, 65])
@pytest.mark.parametrize("method", [None, "fused", "panels", "gemm"])
def test_product_equals_numpy_to_rounding(dtype, k, method):
    weights, columns = _operands(dtype, k)
    _assert_product(rows_times_columns(weights, columns, method=method), weights, columns)


@pytest.mark.parametrize("dtype", DTYPES)
def test_one_dimensional_columns_give_a_vector(dtype):
    weights, columns = _operands(dtype, 1)
    for method in ("gemv", "fused"):
        result = rows_times_columns(weights, columns[:, 0], method=method)
        assert result.shape == (M,)
        _assert_product(result[:, None], weights, columns)


@pytest.mark.parametrize("k", [2, 6])
def test_out_is_filled_and_returned(k):
    weights, columns = _operands(np.float64, k)
    out = np.full((M, k), np.nan)
    assert rows_times_columns(weights, columns, out) is out
    _assert_product(out, weights, columns)
    # A strided out (every other column of a wider array) is written in place too.
    wide = np.full((M, 2 * k), np.nan)
    assert rows_times_columns(weights, columns, wide[:, ::2]).base is wide
    _assert_product(wide[:, ::2], weights, columns)
    assert np.all(np.isnan(wide[:, 1::2]))


@pytest.mark.parametrize("dtype", DTYPES)
def test_non_contiguous_operands_are_handled(dtype):
    weights, columns = _operands(dtype, 3, m=M, n=2 * N)
    strided_weights = weights[:, ::2]  # not C-contiguous: BLAS reads it in place
    strided_columns = columns[::2]
    _assert_product(rows_times_columns(strided_weights, strided_columns), strided_weights, strided_columns)
    fortran = np.asfortranarray(weights)
    _assert_product(rows_times_columns(weights, np.asfortranarray(columns)), weights, columns)
    _assert_product(rows_times_columns(fortran, columns, method="fused"), fortran, columns)


def test_dispatcher_thresholds():
    assert product_method(1, np.float64) == "gemv"
    assert all(product_method(k, np.float32) == "fused" for k in range(2, FUSED_MAX_COLUMNS + 1))
    assert all(product_method(k, np.float64) == "panels" for k in range(FUSED_MAX_COLUMNS + 1, PANEL_MAX_COLUMNS + 1))
    assert product_method(PANEL_MAX_COLUMNS + 1, np.float64) == "gemm"


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", [16, 40])
def test_panels_write_into_a_strided_out(dtype, k):
    weights, columns = _operands(dtype, k)
    wide = np.full((M, 2 * k), np.nan, dtype)
    assert rows_times_columns(weights, columns, wide[:, ::2], method="panels").base is wide
    _assert_product(wide[:, ::2], weights, columns)
    assert np.all(np.isnan(wide[:, 1::2]))


@pytest.mark.parametrize("k", [1, 2, FUSED_MAX_COLUMNS, FUSED_MAX_COLUMNS + 1, PANEL_MAX_COLUMNS + 1])
def test_dispatcher_sends_each_branch_to_its_implementation(monkeypatch, k):
    calls = {"fused": [], "panels": []}
    fused, panels = kernels._fused_product, kernels._panel_product
    monkeypatch.setattr(kernels, "_fused_product", lambda *args: calls["fused"].append(args) or fused(*args))
    monkeypatch.setattr(kernels, "_panel_product", lambda *args: calls["panels"].append(args) or panels(*args))
    weights, columns = _operands(np.float64, k)
    _assert_product(rows_times_columns(weights, columns), weights, columns)
    assert bool(calls["fused"]) == (product_method(k, np.float64) == "fused")
    assert bool(calls["panels"]) == (product_method(k, np.float64) == "panels")


@pytest.mark.parametrize(
    ("weights", "columns", "out", "method", "message"),
    [
        (np.ones((4, 3)), np.ones((3, 2), np.float32), None, None, "float32 differs"),
        (np.ones((4, 3), int), np.ones((3, 2), int), None, None, "int64"),
        (np.ones((4, 3)), np.ones((5, 2)), None, None, "5 rows"),
        (np.ones(3), np.ones((3, 2)), None, None, "(3,)"),
        (np.ones((4, 3)), np.ones((3, 2, 1)), None, None, "(3, 2, 1)"),
        (np.ones((4, 3)), np.ones((3, 2)), np.ones((4, 3)), None, "(4, 3)"),
        (np.ones((4, 3)), np.ones((3, 2)), np.ones((4, 2), np.float32), None, "float32"),
        (np.ones((4, 3)), np.ones((3, 2)), None, "cublas", "'cublas'"),
        (np.ones((4, 3)), np.ones((3, 2)), None, "gemv", "got 2"),
        ([[1.0]], np.ones((1, 1)), None, None, "list"),
    ],
)
def test_bad_input_is_named(weights, columns, out, method, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        rows_times_columns(weights, columns, out, method=method)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", [20, 32, 45])
def test_panels_summed_in_blocks_equal_numpy(monkeypatch, dtype, k):
    """The L2 blocking of the sum over j (on for large float64 panels) gives the same product."""
    monkeypatch.setattr(kernels, "PANEL_BLOCK_BYTES", 0)
    monkeypatch.setattr(kernels, "PANEL_BLOCK_ROWS", 8)
    weights, columns = _operands(dtype, k)
    _assert_product(rows_times_columns(weights, columns, method="panels"), weights, columns)
