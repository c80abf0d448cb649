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


def gate_values(fields: np.ndarray) -> np.ndarray:
    """The gates σ(a_f), σ(a_i), σ(a_o) and the candidate tanh(a_c) of sampled fields (4, P, T), in
    place (σ(a) = (1 + tanh(a/2))/2; numpy's vectorised tanh, a small part of the recursion's cost)."""
    sigmoid = fields[:3]
    sigmoid *= 0.5
    np.tanh(sigmoid, out=sigmoid)
    sigmoid += 1.0
    sigmoid *= 0.5
    np.tanh(fields[3], out=fields[3])
    return fields


@numba.njit(cache=True, fastmath=False)
def run_paths(gates, tangent_fields, q, burn_in, h, u_h, v_h, c_square):  # pragma: no cover - compiled
    """Run every path; ``gates`` (f, i, o, ĉ) and ``tangent_fields`` (4, P, T); outputs ``h``,
    ``u_h``, ``v_h`` (P, T) and ``c_square`` (P,), the time mean of c² of each path. One tanh per
    step: the gates' nonlinearities are evaluated beforehand (:func:`gate_values`)."""
    _, paths, steps = gates.shape
    for p in range(paths):
        c = 0.0
        uc = 0.0
        vc = 0.0
        square = 0.0
        for n in range(burn_in + steps):
            t = (n - burn_in) % steps
            f = gates[0, p, t]
            i = gates[1, p, t]
            o = gates[2, p, t]
            ch = gates[3, p, t]
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
                square += c * c
        c_square[p] = square / steps


def run(gates: np.ndarray, tangent_fields: np.ndarray, lam: float, burn_in: int):
    """Python entry on gate values (:func:`gate_values`): returns h (P, T, single precision like
    the fields), u_h, v_h (P, T, double precision: at a trial λ below the exponent the tangent
    grows like e^{(λ_max − λ)t} over the path, beyond single precision's range early in the
    iteration) and the per-path time mean of c², (P,)."""
    _, paths, steps = gates.shape
    h = np.empty((paths, steps), dtype=np.float32)
    u_h, v_h = (np.empty((paths, steps)) for _ in range(2))
    c_square = np.empty(paths)
    run_paths(gates, tangent_fields, float(np.exp(-lam)), burn_in, h, u_h, v_h, c_square)
    return h, u_h, v_h, c_square


#: The gate controls of :func:`gate_controls`, in column order.
GATE_CONTROLS = ("f", "i", "o", "f²", "i²", "o²", "ĉ²", "ĉ′²", "(f′ξ_f)²", "(i′ĉ ξ_i)²", "(o′ξ_o)²", "(i ĉ′ξ_c)²")


@numba.njit(cache=True, fastmath=False)
def _gate_controls(gates, tangent_fields, out):  # pragma: no cover - compiled
    _, paths, steps = gates.shape
    for p in range(paths):
        for k in range(out.shape[1]):
            out[p, k] = 0.0
        for t in range(steps):
            f = gates[0, p, t]
            i = gates[1, p, t]
            o = gates[2, p, t]
            ch = gates[3, p, t]
            ch_prime = 1.0 - ch * ch
            out[p, 0] += f
            out[p, 1] += i
            out[p, 2] += o
            out[p, 3] += f * f
            out[p, 4] += i * i
            out[p, 5] += o * o
            out[p, 6] += ch * ch
            out[p, 7] += ch_prime * ch_prime
            out[p, 8] += (f * (1.0 - f) * tangent_fields[0, p, t]) ** 2
            out[p, 9] += (i * (1.0 - i) * ch * tangent_fields[1, p, t]) ** 2
            out[p, 10] += (o * (1.0 - o) * tangent_fields[2, p, t]) ** 2
            out[p, 11] += (i * ch_prime * tangent_fields[3, p, t]) ** 2
        for k in range(out.shape[1]):
            out[p, k] /= steps


def gate_controls(gates: np.ndarray, tangent_fields: np.ndarray) -> np.ndarray:
    """Per-path time means (P, 12) of functions of the gates and tangent fields at equal times whose
    expectations are products of one-dimensional Gaussian integrals (the four fields, and the
    tangent fields, are independent at each time): the gates f, i, o and their squares, ĉ², ĉ′²,
    and the squared drives of the tangent process, (f′ξ_f)², (i′ĉ ξ_i)², (o′ξ_o)², (i ĉ′ξ_c)²
    (:data:`GATE_CONTROLS`). Control variates for ⟨h²⟩ and the tangent's growth (at g = 3 the
    drives explain ~30 % of the variance of a path's mean u_h² that the fields' moments leave)."""
    out = np.empty((gates.shape[1], len(GATE_CONTROLS)))
    _gate_controls(gates, tangent_fields, out)
    return out
