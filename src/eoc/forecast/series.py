"""Chaotic time series for the forecasting task, and their largest Lyapunov exponents as checks.

* **Lorenz-63** (Lorenz 1963): dx/dt = σ(y − x), dy/dt = x(ρ − z) − y, dz/dt = xy − βz with
  σ = 10, ρ = 28, β = 8/3, integrated by ``scipy.integrate.solve_ivp`` (DOP853, rtol 1e-10) and
  sampled every ``dt`` time units. λ_max ≈ 0.9056 per time unit (Sprott, *Chaos and Time-Series
  Analysis*, OUP 2003, table A.1; Viswanath 1998: 0.9056).
* **Mackey–Glass** (Mackey & Glass, Science 197, 287 (1977)): dx/dt = β x_τ/(1 + x_τ^n) − γ x,
  x_τ = x(t − τ), β = 0.2, γ = 0.1, n = 10, τ = 17, constant history x = 1.2 on [−τ, 0]. Fixed-step
  RK4 with step h = τ/m; the delayed value at the half steps comes from cubic Hermite
  interpolation of the stored history (values and derivatives), so the scheme stays 4th order.
  Published λ_max at τ = 17 spread over 0.0049–0.0070 per time unit depending on the base of the
  logarithm and the run length: Farmer, Physica D 4, 366 (1982) lists λ₁ ≈ 0.007 (bits, i.e.
  ≈ 0.0049 in natural units); a 100-point RK4 discretisation with Benettin's method gives 0.0056
  (natural log; https://sites.google.com/view/lyapunov-spectrum/home/mackey-glass_eq). This
  module's estimate: 0.0051 (step 0.1 and 0.05, 5·10⁴ time units); the test accepts 0.0045–0.0065.

Time unit: the equations' own. Series are returned as arrays (samples, dimension).
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from eoc.errors import InputError

LORENZ = {"sigma": 10.0, "rho": 28.0, "beta": 8.0 / 3.0}
MACKEY_GLASS = {"beta": 0.2, "gamma": 0.1, "n": 10.0, "tau": 17.0}
SYSTEMS = ("lorenz63", "mackey_glass")
#: Default sampling interval (time units) of each system's series.
SAMPLING = {"lorenz63": 0.02, "mackey_glass": 1.0}


def _lorenz(_, u, sigma, rho, beta):
    x, y, z = u
    return [sigma * (y - x), x * (rho - z) - y, x * y - beta * z]


def _lorenz_tangent(_, u, sigma, rho, beta):
    """State and one tangent vector: d(u, δu)/dt = (F(u), DF(u) δu)."""
    x, y, z, dx, dy, dz = u
    return [
        sigma * (y - x),
        x * (rho - z) - y,
        x * y - beta * z,
        sigma * (dy - dx),
        (rho - z) * dx - dy - x * dz,
        y * dx + x * dy - beta * dz,
    ]


def lorenz63(samples: int, *, dt: float = SAMPLING["lorenz63"], transient: float = 50.0, seed: int = 0) -> np.ndarray:
    """``samples`` points (samples, 3) of Lorenz-63 every ``dt``, after ``transient`` time units
    from a random initial condition near the attractor (``seed``)."""
    if samples < 1 or dt <= 0:
        raise InputError(f"need samples ≥ 1 and dt > 0, got {samples}, {dt}")
    start = np.array([1.0, 1.0, 20.0]) + np.random.default_rng(seed).normal(size=3)
    times = transient + dt * np.arange(samples)
    solution = solve_ivp(
        _lorenz,
        (0.0, times[-1]),
        start,
        method="DOP853",
        t_eval=times,
        rtol=1e-10,
        atol=1e-10,
        args=tuple(LORENZ.values()),
    )
    return solution.y.T


def lorenz63_lyapunov(time: float = 1000.0, *, interval: float = 1.0, transient: float = 50.0) -> float:
    """Benettin estimate of Lorenz-63's largest exponent: one tangent vector integrated with the
    state, renormalised every ``interval`` time units, over ``time`` time units."""
    state = lorenz63(1, transient=transient)[0]
    tangent = np.ones(3) / np.sqrt(3)
    log_growth = 0.0
    for _ in range(int(round(time / interval))):
        solution = solve_ivp(
            _lorenz_tangent,
            (0.0, interval),
            np.r_[state, tangent],
            method="DOP853",
            rtol=1e-10,
            atol=1e-10,
            args=tuple(LORENZ.values()),
        )
        state, tangent = solution.y[:3, -1], solution.y[3:, -1]
        norm = np.linalg.norm(tangent)
        log_growth += np.log(norm)
        tangent /= norm
    return log_growth / time


class _DelayRK4:
    """Fixed-step RK4 for x' = F(x, x_τ) (and optionally its tangent) with a history buffer.

    The step h divides τ: the delayed values at t and t + h are stored history points, those at
    t + h/2 come from the cubic Hermite interpolant of the two neighbouring points (their values
    and derivatives): x(mid) = (x₀ + x₁)/2 + h (x₀' − x₁')/8."""

    def __init__(self, parameters: dict, step: float) -> None:
        self.p = dict(parameters)
        lag = self.p["tau"] / step
        if abs(lag - round(lag)) > 1e-9:
            raise InputError(f"the step {step} must divide τ = {self.p['tau']}")
        self.lag, self.h = int(round(lag)), step

    def feedback(self, x):
        return self.p["beta"] * x / (1.0 + x ** self.p["n"])

    def dfeedback(self, x):
        n = self.p["n"]
        return self.p["beta"] * (1.0 + (1.0 - n) * x**n) / (1.0 + x**n) ** 2

    def run(self, steps: int, *, history: float = 1.2, tangent: bool = False, renormalise: int = 0):
        """x at steps 0..``steps`` (t = k h); with ``tangent``, also the Benettin sum of log norms of
        the tangent history (renormalised every ``renormalise`` steps) and the time it covers."""
        g, h, lag = self.p["gamma"], self.h, self.lag
        x = np.empty(lag + steps + 1)
        dx = np.empty_like(x)  # derivatives at the same points
        x[: lag + 1] = history
        dx[: lag + 1] = 0.0  # constant history (its derivative; the kink at t = 0 is harmless)
        if tangent:
            v = np.zeros_like(x)
            dv = np.zeros_like(x)
            v[: lag + 1] = np.random.default_rng(1).normal(size=lag + 1)
            log_growth, measured = 0.0, 0
        for k in range(lag, lag + steps):
            d0, d1 = x[k - lag], x[k - lag + 1]
            dmid = 0.5 * (d0 + d1) + h * (dx[k - lag] - dx[k - lag + 1]) / 8
            f0, fm, f1 = self.feedback(d0), self.feedback(dmid), self.feedback(d1)
            xk = x[k]
            k1 = f0 - g * xk
            k2 = fm - g * (xk + 0.5 * h * k1)
            k3 = fm - g * (xk + 0.5 * h * k2)
            k4 = f1 - g * (xk + h * k3)
            x[k + 1] = xk + h * (k1 + 2 * k2 + 2 * k3 + k4) / 6
            dx[k] = k1
            dx[k + 1] = f1 - g * x[k + 1]
            if tangent:
                e0, e1 = v[k - lag], v[k - lag + 1]
                emid = 0.5 * (e0 + e1) + h * (dv[k - lag] - dv[k - lag + 1]) / 8
                a0, am, a1 = self.dfeedback(d0) * e0, self.dfeedback(dmid) * emid, self.dfeedback(d1) * e1
                vk = v[k]
                l1 = a0 - g * vk
                l2 = am - g * (vk + 0.5 * h * l1)
                l3 = am - g * (vk + 0.5 * h * l2)
                l4 = a1 - g * (vk + h * l3)
                v[k + 1] = vk + h * (l1 + 2 * l2 + 2 * l3 + l4) / 6
                dv[k] = l1
                dv[k + 1] = a1 - g * v[k + 1]
                if renormalise and (k + 1 - lag) % renormalise == 0:
                    window = slice(k + 1 - lag, k + 2)
                    norm = np.sqrt(np.sum(v[window] ** 2) + np.sum(dv[window] ** 2))
                    v[window] /= norm
                    dv[window] /= norm
                    if k + 1 - lag > steps // 5:  # skip the first fifth (alignment transient)
                        log_growth += np.log(norm)
                        measured += renormalise
        if tangent:
            return x[lag:], log_growth / (measured * h)
        return x[lag:]


def mackey_glass(
    samples: int,
    *,
    dt: float = SAMPLING["mackey_glass"],
    step: float = 0.1,
    transient: float = 1000.0,
    parameters: dict | None = None,
) -> np.ndarray:
    """``samples`` points (samples, 1) of Mackey–Glass every ``dt`` (a multiple of ``step``) after
    ``transient`` time units, integrated with RK4 at ``step`` (which must divide τ)."""
    stride = dt / step
    if samples < 1 or abs(stride - round(stride)) > 1e-9 or stride < 1:
        raise InputError(f"dt = {dt} must be a positive multiple of the step {step}, and samples ≥ 1")
    stride = int(round(stride))
    skip = int(round(transient / step))
    x = _DelayRK4(parameters or MACKEY_GLASS, step).run(skip + stride * (samples - 1))
    return x[skip::stride][:samples, None]


def mackey_glass_lyapunov(time: float = 20000.0, *, step: float = 0.1, parameters: dict | None = None) -> float:
    """Benettin estimate of Mackey–Glass's largest exponent (per time unit): the tangent of the
    discretised delay equation (its history segment is the tangent vector), renormalised every τ."""
    integrator = _DelayRK4(parameters or MACKEY_GLASS, step)
    _, exponent = integrator.run(int(round(time / step)), tangent=True, renormalise=integrator.lag)
    return exponent


def generate(system: str, samples: int, **options) -> np.ndarray:
    """The series of ``system`` (one of :data:`SYSTEMS`), (samples, dimension)."""
    if system == "lorenz63":
        return lorenz63(samples, **options)
    if system == "mackey_glass":
        return mackey_glass(samples, **options)
    raise InputError(f"unknown system {system!r}; choose one of {', '.join(SYSTEMS)}")
