"""One point (g, σ_b) of the LSTM's mean-field theory: regime, C_h(τ), moments, gates, λ_max.

The static branch (:mod:`eoc.meanfield.lstm.static`) decides the regime: where its stability
parameter s < 1 the network settles on the fixed point (at σ_b = 0 and μ_c = 0 the zero state)
and every output is a quadrature; where s > 1 the stationary time-dependent solution is sampled
(:mod:`eoc.meanfield.lstm.stationary`) and every output carries its statistical error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eoc.meanfield.lstm.gates import gate_statistics
from eoc.meanfield.lstm.options import Options
from eoc.meanfield.lstm.parameters import Parameters
from eoc.meanfield.lstm.static import fixed_point_exponent, stability_parameter, static_c_square, static_solution
from eoc.meanfield.lstm.stationary import solve_stationary, window_tail

#: A chaotic point is flagged when its connected C_h at half the lag window is above this fraction of C_h(0) − C_∞.
WINDOW_TOLERANCE = 0.02


@dataclass(frozen=True)
class Solution:
    """The mean-field solution at one point; meanings and units in :data:`eoc.meanfield.lstm.grid.METADATA`."""

    g: float
    sigma_b: float
    gate_gains: tuple[float, float, float, float]
    bias_means: tuple[float, float, float, float]
    regime: str
    status: str
    C0: float
    C0_stderr: float
    C0_residual: float
    C0_static: float
    C_inf: float
    c_square: float
    c_square_stderr: float
    c_square_residual: float
    gate_mean: np.ndarray
    gate_mean_stderr: np.ndarray
    gate_std: np.ndarray
    gate_std_stderr: np.ndarray
    lyapunov_max: float
    lyapunov_max_stderr: float
    lyapunov_residual: float
    stability: float
    decay_rate: float
    decay_rate_stderr: float
    lambda2: float
    lambda2_stderr: float
    window_decay: float
    iterations: int
    tau: np.ndarray
    autocorr: np.ndarray
    autocorr_stderr: np.ndarray


def solve(g, sigma_b, *, gate_gains=None, bias_means=None, **options) -> Solution:
    """The mean-field solution at (g, σ_b); ``gate_gains``/``bias_means``: {gate: value} for gates
    f, i, o, c (default: gain g, mean 0); ``options``: the fields of :class:`Options`.

    Bad input raises InputError before any work."""
    params = Parameters.make(g, sigma_b, gate_gains=gate_gains, bias_means=bias_means)
    settings = Options(**options)
    return solve_point(params, settings)


def solve_point(params: Parameters, options: Options) -> Solution:
    """:func:`solve` for checked inputs."""
    tau = np.arange(options.lags, dtype=float)
    C0_static = static_solution(params, nodes=options.nodes)
    s = stability_parameter(params, C0_static, nodes=options.nodes)
    common = dict(
        g=params.g,
        sigma_b=params.sigma_b,
        gate_gains=params.gains,
        bias_means=params.means,
        C0_static=C0_static,
        stability=s,
        tau=tau,
    )
    if s < 1.0:
        mean, std = gate_statistics(params, C0_static)
        return Solution(
            **common,
            regime="fixed_point",
            status="ok",
            C0=C0_static,
            C0_stderr=0.0,
            C0_residual=0.0,
            C_inf=C0_static,
            c_square=static_c_square(params, C0_static, nodes=options.nodes),
            c_square_stderr=0.0,
            c_square_residual=0.0,
            gate_mean=mean,
            gate_mean_stderr=np.zeros(3),
            gate_std=std,
            gate_std_stderr=np.zeros(3),
            lyapunov_max=fixed_point_exponent(params, C0_static, nodes=options.nodes),
            lyapunov_max_stderr=0.0,
            lyapunov_residual=0.0,
            decay_rate=np.nan,
            decay_rate_stderr=np.nan,
            lambda2=np.nan,
            lambda2_stderr=np.nan,
            window_decay=np.nan,
            iterations=0,
            autocorr=np.full(tau.size, C0_static),
            autocorr_stderr=np.zeros(tau.size),
        )

    try:
        result = solve_stationary(params, options, C_start=C0_static)
    except np.linalg.LinAlgError as failure:  # e.g. non-finite sampled paths with very few paths
        return _failed_point(common, f"sampled iteration failed: {failure}")
    C = result.C
    C0 = float(C[0])
    tail = window_tail(C)  # the window's own asymptote: the check is of its shape
    window_decay = float((C[C.size // 2] - tail) / (C0 - tail))
    mean, std = gate_statistics(params, C0)
    error = float(np.hypot(result.C_stderr[0], result.C0_residual))
    mean_up, std_up = gate_statistics(params, C0 + error)
    mean_down, std_down = gate_statistics(params, max(C0 - error, 0.0))
    status = "ok"
    if not result.converged:
        status = f"coarse iteration did not converge in {options.max_iterations} iterations"
    elif abs(window_decay) > WINDOW_TOLERANCE:
        status = f"lag window too short: connected C_h at lags/2 is {window_decay:.3f} of its value at 0"
    return Solution(
        **common,
        regime="chaotic",
        status=status,
        C0=C0,
        C0_stderr=float(result.C_stderr[0]),
        C0_residual=result.C0_residual,
        C_inf=result.C_inf,
        c_square=result.c_square,
        c_square_stderr=result.c_square_stderr,
        c_square_residual=result.c_square_residual,
        gate_mean=mean,
        gate_mean_stderr=0.5 * np.abs(mean_up - mean_down),
        gate_std=std,
        gate_std_stderr=0.5 * np.abs(std_up - std_down),
        lyapunov_max=result.lyapunov_max,
        lyapunov_max_stderr=result.lyapunov_max_stderr,
        lyapunov_residual=result.lyapunov_residual,
        decay_rate=result.decay_rate,
        decay_rate_stderr=result.decay_rate_stderr,
        lambda2=result.decay_rate**2,
        lambda2_stderr=2.0 * result.decay_rate * result.decay_rate_stderr,
        window_decay=window_decay,
        iterations=result.iterations,
        autocorr=C,
        autocorr_stderr=result.C_stderr,
    )


def _failed_point(common: dict, reason: str) -> Solution:
    """A chaotic-branch point whose solve failed: NaN values and ``status`` saying why (one bad point
    must not take down a grid job)."""
    lags = common["tau"].size
    nan = float("nan")
    return Solution(
        **common,
        regime="chaotic",
        status=reason,
        **dict.fromkeys(
            ("C0", "C0_stderr", "C0_residual", "C_inf", "c_square", "c_square_stderr", "c_square_residual"), nan
        ),
        **dict.fromkeys(("lyapunov_max_stderr", "lyapunov_residual", "decay_rate", "decay_rate_stderr"), nan),
        **dict.fromkeys(("lambda2", "lambda2_stderr", "lyapunov_max"), nan),
        window_decay=nan,
        iterations=0,
        gate_mean=np.full(3, nan),
        gate_mean_stderr=np.full(3, nan),
        gate_std=np.full(3, nan),
        gate_std_stderr=np.full(3, nan),
        autocorr=np.full(lags, nan),
        autocorr_stderr=np.full(lags, nan),
    )
