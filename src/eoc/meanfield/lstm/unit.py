"""The scalar LSTM recursion of one mean-field unit, and its tangent process, over sampled fields.

State (docs/science.md §1.1, one unit): with pre-activations a_x(t) (x = f, i, o, c) driven by h(t),

    f, i, o = σ(a_f), σ(a_i), σ(a_o),  ĉ = tanh(a_c),  c(t+1) = f c(t) + i ĉ,  h(t+1) = o tanh c(t+1).

Tangent process with the growth e^{λt} divided out (docs/meanfield-lstm.md §5): with tangent fields
ξ_x(t) (the Gaussian fields of δh, independent of the a_x at N = ∞) and q = e^{−λ},

    u_c(t+1) = q [f u_c(t) + f′ c(t) ξ_f + i′ ĉ ξ_i + i ĉ′ ξ_c]
    u_h(t+1) = q o′ tanh c(t+1) ξ_o + o sech² c(t+1) u_c(t+1)

(σ′ = σ(1 − σ), ĉ′ = 1 − ĉ²), and its λ-derivative v = ∂u/∂λ:
v_c(t+1) = −u_c(t+1) + q f v_c(t), v_h(t+1) = −q o′ tanh c(t+1) ξ_o + o sech² c(t+1) v_c(t+1).

Each path starts at c = u_c = v_c = 0 ``burn_in`` steps before the end of its T-periodic fields and
runs through the period once more; h, u_h, v_h are recorded on the T steps of that second pass.
"""

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(cache=True, fastmath=False)
def run_paths(fields, tangent_fields, q, burn_in, h, u_h, v_h, c_square):  # pragma: no cover - compiled
    """Run every path; ``fields``, ``tangent_fields`` (4, P, T); outputs ``h``, ``u_h``, ``v_h`` (P, T)
    and ``c_square`` (P,), the time mean of c² of each path."""
    _, paths, steps = fields.shape
    for p in range(paths):
        c = 0.0
        uc = 0.0
        vc = 0.0
        for n in range(burn_in + steps):
            t = (n - burn_in) % steps
            f = 0.5 * (1.0 + math.tanh(0.5 * fields[0, p, t]))
            i = 0.5 * (1.0 + math.tanh(0.5 * fields[1, p, t]))
            o = 0.5 * (1.0 + math.tanh(0.5 * fields[2, p, t]))
            ch = math.tanh(fields[3, p, t])
            c_new = f * c + i * ch
            tc = math.tanh(c_new)
            gain = o * (1.0 - tc * tc)
            drive_o = q * o * (1.0 - o) * tc * tangent_fields[2, p, t]
            uc_new = q * (
                f * uc
                + f * (1.0 - f) * c * tangent_fields[0, p, t]
                + i * (1.0 - i) * ch * tangent_fields[1, p, t]
                + i * (1.0 - ch * ch) * tangent_fields[3, p, t]
            )
            vc_new = -uc_new + q * f * vc
            c, uc, vc = c_new, uc_new, vc_new
            if n >= burn_in:
                h[p, t] = o * tc
                u_h[p, t] = drive_o + gain * uc
                v_h[p, t] = -drive_o + gain * vc
                c_square[p] += c * c
        c_square[p] /= steps


def run(fields: np.ndarray, tangent_fields: np.ndarray, lam: float, burn_in: int):
    """Python entry: returns h, u_h, v_h (P, T) and the per-path time mean of c², (P,)."""
    _, paths, steps = fields.shape
    h, u_h, v_h = (np.empty((paths, steps)) for _ in range(3))
    c_square = np.zeros(paths)
    run_paths(fields, tangent_fields, float(np.exp(-lam)), burn_in, h, u_h, v_h, c_square)
    return h, u_h, v_h, c_square
