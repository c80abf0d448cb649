"""The stationary self-consistent solution by sampling: C_h(τ), ⟨c²⟩ and λ_max with their errors.

The self-consistency map (docs/meanfield-lstm.md §3): given C_h(τ) on the lag window, sample P
units, each driven by four independent Gaussian fields a_x(t) with mean μ_x and covariance
σ_x² C_h(τ) + σ_b² — a dynamic part σ_x² (C_h(τ) − C_∞) and a static part σ_x² C_∞ + σ_b², one
number per unit (:mod:`eoc.meanfield.lstm.processes`) — run the unit recursion
(:mod:`eoc.meanfield.lstm.unit`) and measure C_h(τ) back. Along the same paths the tangent
process (normalised covariance ψ, trial exponent λ) gives r(λ) = ψ_out(0)/ψ(0) and
d ln r / dλ; λ_max is where r = 1 with ψ its own image (§5).

Iteration: a shared approach (:func:`_approach`) of damped updates C ← C + α (C_out − C) (and
C_∞ alike), ψ ← ψ + α (ψ_out/ψ_out(0) − ψ) and a damped Newton step for λ, with ``coarse_paths``
units until C_h(0) changes by less than ``coarse_tolerance`` (relative) and |ln r| <
``coarse_tolerance``; then ``replicas`` independent replicas (own random streams, :func:`_chain`):
``fine_iterations`` undamped updates with ``coarse_paths`` units (cheap: they finish the slow
approach and forget the shared start), one per doubling of the number of units up to ``paths``,
and ``batches`` undamped updates with ``paths`` units whose outputs are averaged. The result is
the replicas' mean, every error their scatter / √replicas (docs/meanfield-lstm.md §3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eoc.meanfield.lstm import processes, unit
from eoc.meanfield.lstm.options import Options
from eoc.meanfield.lstm.parameters import Parameters
from eoc.meanfield.rate.gaussian import normal_rule

#: Points of the normal rule for the control variates' expectations (exact to rounding here).
GAUSS_NODES = 161
#: Lags of the fields' lag products used as control variates (docs/meanfield-lstm.md §3): they carry
#: how a path's fields happened to decorrelate, which sets the noise of C_h's shape, the slow mode.
CONTROL_LAGS = (1, 2, 3, 5, 8, 13, 21, 34)
#: Largest change of the trial exponent per iteration (per step). Over a path the tangent grows
#: like e^{(λ_max − λ)t}: far from λ_max a Newton step on the noisy ln r can overshoot by 0.2 (seen
#: at g = 2, σ_b = 1.5, where units with f near 1 make u heavy-tailed) and the next path overflows.
#: The trial exponent also stays ≥ 0: in the chaotic state the forget gates' spread reaches f → 1,
#: and a unit with f e^{−λ} > 1 makes r(λ) infinite for every λ < 0 (docs/meanfield-lstm.md §5).
LAMBDA_STEP = 0.05


@dataclass(frozen=True)
class Evaluation:
    """One application of the self-consistency map to (C, ψ, λ)."""

    C: np.ndarray  # C_h(τ) out, (L,)
    C_inf: float  # C_∞ out, from the units' time means
    psi: np.ndarray  # tangent covariance out (input normalised to ψ(0) = 1), (L,)
    c_square: float  # ⟨c²⟩
    C0_stderr: float  # sampling error of C[0]
    log_growth: float  # ln r = ln ψ_out(0)
    log_growth_stderr: float  # its sampling error
    log_growth_slope: float  # d ln r / dλ at fixed input ψ

    @property
    def exponent(self) -> float:
        """The Newton step −ln r / (d ln r/dλ): the exponent is the input λ plus this."""
        return -self.log_growth / self.log_growth_slope


def window_tail(cov: np.ndarray) -> float:
    """Mean of the window's last quarter, where the taper leaves a covariance at its asymptote."""
    return float(cov[(3 * cov.size) // 4 :].mean())


def _root(gains: np.ndarray, cov: np.ndarray, static: float, extra_static: float, window: np.ndarray, steps: int):
    """√ spectrum (4, bins) of the fields σ_x² (cov(τ) − static) (tapered on the window) plus the
    static part σ_x² static + extra_static, folded into the zero frequency (processes.with_static)."""
    root = gains[:, None] * processes.spectrum((cov - static) * window, steps)[None, :]
    return processes.with_static(root, gains**2 * static + extra_static, steps)


def _controls(fields: np.ndarray) -> np.ndarray:
    """Per-path control variables of sampled fields (G, P, T): time means, mean squares and squared
    time means, (P, 3G)."""
    mean = fields.mean(axis=2, dtype=np.float64)
    square = np.einsum("gpt,gpt->gp", fields, fields, dtype=np.float64) / fields.shape[2]
    return np.concatenate([mean, square, mean**2]).T


def _expected_controls(root: np.ndarray, mean: np.ndarray, steps: int) -> np.ndarray:
    """Expectations of :func:`_controls` for fields sampled with ``root`` (G, bins) and ``mean``
    (G,): μ, μ² + variance, and μ² + S_0/T (the time mean over the period is the zero-frequency
    component, static part included, of variance S_0/T)."""
    return np.concatenate([mean, mean**2 + processes.variance(root, steps), mean**2 + root[:, 0] ** 2 / steps])


def _control_variate_mean(
    values: np.ndarray, controls: np.ndarray, expected: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean over paths of ``values`` (P, K) corrected by control variates (P, M) with known
    expectations ``expected`` (M,): mean(Y) − (mean(X) − E X)·β, β the least-squares regression of
    Y on X over the paths (unbiased up to O(M/P); the variance falls by the explained share), and
    its standard error from the regression's residuals, (K,) each."""
    X = controls - controls.mean(axis=0)
    Y = values - values.mean(axis=0)
    beta = np.linalg.lstsq(X, Y, rcond=None)[0]
    residual = Y - X @ beta
    paths = values.shape[0]
    stderr = np.sqrt((residual**2).sum(axis=0) / max(paths - X.shape[1] - 1, 1) / paths)
    return values.mean(axis=0) - (controls.mean(axis=0) - expected) @ beta, stderr


def _expected_gate_controls(means: np.ndarray, variance: np.ndarray, tangent_variance: np.ndarray) -> np.ndarray:
    """Expectations of :data:`eoc.meanfield.lstm.unit.GATE_CONTROLS` for fields a_x ~ N(μ_x, v_x)
    and tangent fields of variance w_x, all independent at equal times: products of one-dimensional
    Gaussian integrals (normal rule)."""
    z, w = normal_rule(GAUSS_NODES)
    a = means[:, None] + np.sqrt(variance)[:, None] * z[None, :]
    sigma = 0.5 * (1.0 + np.tanh(0.5 * a[:3]))
    ch = np.tanh(a[3])
    gate, gate_square, slope_square = sigma @ w, sigma**2 @ w, (sigma * (1.0 - sigma)) ** 2 @ w
    ch_square, ch_prime_square = ch**2 @ w, (1.0 - ch**2) ** 2 @ w
    wf, wi, wo, wc = tangent_variance
    return np.concatenate(
        [
            gate,
            gate_square,
            [ch_square, ch_prime_square],
            [
                wf * slope_square[0],
                wi * slope_square[1] * ch_square,
                wo * slope_square[2],
                wc * gate_square[1] * ch_prime_square,
            ],
        ]
    )


def evaluate(params: Parameters, options: Options, state: State, paths: int, rng: np.random.Generator) -> Evaluation:
    """The map at input ``state`` (C_h(τ), C_∞, ψ(τ) with ψ(0) = 1, λ) with ``paths`` sampled units.

    C_∞ out is estimated from the units' time means h̄ over the period T (docs/meanfield-lstm.md
    §3): E[h̄²] = C_∞ + (1/T) Σ_τ (C_h(τ) − C_∞) over the window, solved for C_∞. Its noise is
    ~(2τ_c/T)^{1/2} times that of the tail of C_h(τ), which the previous solvers used, and the slow
    mode of the map runs along C_∞ (its slope is the left side of (κ) at κ = 0, §7).

    Every path average is corrected by control variates with exact expectations (§3): the eight
    fields' time means, mean squares and squared time means, the state fields' lag products at
    :data:`CONTROL_LAGS` and the gate controls (:data:`eoc.meanfield.lstm.unit.GATE_CONTROLS`). At
    g = 3 with 2048 paths they halve the standard deviation of C_h(0) and cut that of λ 2.7×
    (measured), at no cost in bias beyond O(60/paths). The standard errors come from the
    regression's residuals."""
    steps, lags = options.steps, options.lags
    window = processes.taper(lags)
    gains, means = params.gain_array, params.mean_array
    root_C = _root(gains, state.C, state.C_inf, params.sigma_b**2, window, steps)
    root_psi = _root(gains, state.psi, window_tail(state.psi), 0.0, window, steps)
    zeros = np.zeros(4)
    field_variance = processes.variance(root_C, steps)
    tangent_variance = processes.variance(root_psi, steps)
    expected = np.concatenate(
        [
            _expected_controls(root_C, means, steps),
            _expected_controls(root_psi, zeros, steps),
            processes.circular_covariance(root_C, steps, CONTROL_LAGS).ravel(),
            _expected_gate_controls(means, field_variance, tangent_variance),
        ]
    )

    rows, controls = [], []
    done = 0
    while done < paths:
        n = min(options.chunk, paths - done)
        fields, lag_products = processes.sample(root_C, means, n, steps, rng, lags=CONTROL_LAGS)
        tangent_fields = processes.sample(root_psi, zeros, n, steps, rng)
        field_controls = [_controls(fields), _controls(tangent_fields), np.hstack(lag_products)]
        gates = unit.gate_values(fields)
        controls.append(np.concatenate([*field_controls, unit.gate_controls(gates, tangent_fields)], axis=1))
        h, u_h, v_h, c_square = unit.run(gates, tangent_fields, state.lam, options.burn_in)
        rows.append(
            np.concatenate(
                [
                    h.mean(axis=1, dtype=np.float64)[:, None] ** 2,
                    processes.autocovariance(h, lags),
                    processes.autocovariance(u_h, lags),
                    c_square[:, None],
                    np.einsum("pt,pt->p", u_h, v_h, dtype=np.float64)[:, None] / steps,
                ],
                axis=1,
                dtype=np.float64,
            )
        )
        done += n
    estimate, stderr = _control_variate_mean(np.concatenate(rows), np.concatenate(controls), expected)
    mean_square, C_out, psi_out = estimate[0], estimate[1 : lags + 1], estimate[lags + 1 : 2 * lags + 1]
    c_square, uv = estimate[2 * lags + 1 :]
    window_sum = C_out[0] + 2.0 * C_out[1:].sum()
    return Evaluation(
        C=C_out,
        C_inf=float((mean_square - window_sum / steps) / (1.0 - (2 * lags - 1) / steps)),
        psi=psi_out,
        c_square=float(c_square),
        C0_stderr=float(stderr[1]),
        log_growth=float(np.log(psi_out[0])),
        log_growth_stderr=float(stderr[lags + 1] / psi_out[0]),
        log_growth_slope=2.0 * float(uv) / float(psi_out[0]),
    )


@dataclass(frozen=True)
class Stationary:
    """The converged stationary solution with errors (see :mod:`eoc.meanfield.lstm.solution`).

    Every ``*_stderr`` is the scatter of the independent replicas / √replicas; the residuals are
    the drift per iteration of the replicas' inputs over their averaged iterations."""

    C: np.ndarray
    C_stderr: np.ndarray
    C_inf: float
    c_square: float
    c_square_stderr: float
    lyapunov_max: float
    lyapunov_max_stderr: float
    C0_residual: float
    c_square_residual: float
    lyapunov_residual: float
    iterations: int
    converged: bool
    decay_rate: float
    decay_rate_stderr: float


def decay_rate(C: np.ndarray) -> float:
    """Decay rate κ (per step) of the connected C_h(τ) − C_∞ (docs/meanfield-lstm.md §7): slope of
    its logarithm between the lags where it first falls below 0.3 and below 0.03 of its value at
    τ = 0, C_∞ the mean of the last quarter of the window (NaN if it does not fall that far within
    the first three quarters of the window, or if C has NaN there)."""
    usable = (3 * C.size) // 4
    connected = C - window_tail(C)
    rho = connected[:usable] / connected[0]
    start = np.flatnonzero(rho < 0.3)
    end = np.flatnonzero(rho < 0.03)
    if not start.size or not end.size or end[0] - start[0] < 2 or connected[0] <= 0:
        return float("nan")
    tau = np.arange(start[0], end[0] + 1)
    if not np.all(np.isfinite(rho[tau]) & (rho[tau] > 0)):
        return float("nan")
    return float(-np.polyfit(tau, np.log(rho[tau]), 1)[0])


@dataclass
class State:
    """The input of the map: C_h(τ) on the window, C_∞, ψ(τ) (ψ(0) = 1) and the trial exponent λ."""

    C: np.ndarray
    C_inf: float
    psi: np.ndarray
    lam: float

    def update(self, ev: Evaluation, mixing: float = 1.0) -> float:
        """Move towards the map's output by ``mixing``; return the relative change of C_h(0)."""
        change = abs(ev.C[0] - self.C[0]) / max(self.C[0], 1e-12)
        self.C = self.C + mixing * (ev.C - self.C)
        self.C_inf = self.C_inf + mixing * (ev.C_inf - self.C_inf)
        psi = self.psi + mixing * (ev.psi / ev.psi[0] - self.psi)
        self.psi = psi / psi[0]
        self.lam = max(self.lam + mixing * float(np.clip(ev.exponent, -LAMBDA_STEP, LAMBDA_STEP)), 0.0)
        return change

    def copy(self) -> State:
        return State(self.C.copy(), self.C_inf, self.psi.copy(), self.lam)


@dataclass(frozen=True)
class Chain:
    """One replica: the means of its averaged iterations' outputs and the drift of its input."""

    C: np.ndarray
    C_inf: float
    c_square: float
    exponent: float
    C0_drift: float  # (last input − first input)/iterations of C_h(0) over the averaged iterations
    c_square_drift: float  # least-squares slope of ⟨c²⟩ over the averaged iterations (per iteration)
    lyapunov_drift: float  # the same for λ
    iterations: int


def _approach(params: Parameters, options: Options, C_start: float, rng: np.random.Generator):
    """The shared start of the replicas: from C_h(τ) = C_start + 0.05·2^{−τ}, ψ(τ) = 2^{−τ}, λ = 0,
    the coarse phase (``coarse_paths``, damped by ``damping``, until C_h(0) changes by less than
    ``coarse_tolerance`` and |ln r| < ``coarse_tolerance``, or ln r < 0 with the trial exponent at
    its bound 0; each tolerance at least three standard errors of the evaluation, below which the
    paths cannot tell a step from noise). Returns (state, iterations, converged)."""
    tau = np.arange(options.lags)
    state = State(C_start + 0.05 * 0.5**tau, C_start, 0.5**tau, 0.0)
    iterations = 0
    converged = False
    for _ in range(options.max_iterations):
        iterations += 1
        ev = evaluate(params, options, state, options.coarse_paths, rng)
        pinned = state.lam == 0.0 and ev.log_growth < 0.0  # the tangent decays even at λ = 0
        # a step within the sampling noise (3 standard errors) is as small as the paths can tell
        C_tolerance = max(options.coarse_tolerance, 3.0 * ev.C0_stderr / max(ev.C[0], 1e-12))
        growth_tolerance = max(options.coarse_tolerance, 3.0 * ev.log_growth_stderr)
        if state.update(ev, options.damping) < C_tolerance and (abs(ev.log_growth) < growth_tolerance or pinned):
            converged = True
            break
    return state, iterations, converged


def _chain(params: Parameters, options: Options, start: State, rng: np.random.Generator) -> Chain:
    """One replica from the shared start: ``fine_iterations`` undamped iterations with
    ``coarse_paths`` paths that finish the approach along the slow mode (slope ≈ 0.85–0.9 at g = 3)
    and decorrelate the replica from the start and from the other replicas, one iteration per
    doubling of the paths up to ``paths``, then ``batches`` undamped ones whose
    outputs are averaged (Polyak–Ruppert: the outputs of the stationary noisy iteration scatter
    around the fixed point, their mean converges to it, input noise included)."""
    state = start.copy()
    for _ in range(options.fine_iterations):
        state.update(evaluate(params, options, state, options.coarse_paths, rng))
    paths, iterations = options.coarse_paths, options.fine_iterations + options.batches
    while paths < options.paths:
        paths, iterations = min(2 * paths, options.paths), iterations + 1
        state.update(evaluate(params, options, state, paths, rng))
    C_first, lam_first = state.C[0], state.lam
    outputs = []
    for _ in range(options.batches):
        ev = evaluate(params, options, state, options.paths, rng)
        outputs.append((ev.C, ev.c_square, state.lam + ev.exponent, ev.C_inf))
        state.update(ev)
    return Chain(
        C=np.mean([o[0] for o in outputs], axis=0),
        C_inf=float(np.mean([o[3] for o in outputs])),
        c_square=float(np.mean([o[1] for o in outputs])),
        exponent=float(np.mean([o[2] for o in outputs])),
        C0_drift=float((state.C[0] - C_first) / options.batches),
        c_square_drift=float(np.polyfit(np.arange(len(outputs)), [o[1] for o in outputs], 1)[0])
        if len(outputs) > 1
        else 0.0,
        lyapunov_drift=float((state.lam - lam_first) / options.batches),
        iterations=iterations,
    )


def solve_stationary(params: Parameters, options: Options, *, C_start: float) -> Stationary:
    """A shared approach to the fixed point (:func:`_approach`), then ``replicas`` independent
    replicas (own random streams, :func:`_chain`); the result is their mean and every error their
    scatter / √replicas. That scatter contains what makes a run differ from a run with another
    seed: the sampling noise of the averaged evaluations, the noise of the inputs they were
    evaluated at and the slow mode of the iteration, which one run's evaluations at one input do
    not see (the first version of the solver reported errors ~7× too small that way). What the
    replicas share, the end of the approach, is forgotten like m^fine_iterations (m ≈ 0.85–0.9,
    the slow mode's slope at g = 3)."""
    streams = np.random.SeedSequence(options.seed).spawn(options.replicas + 1)
    start, iterations, converged = _approach(params, options, C_start, np.random.default_rng(streams[0]))
    chains = [_chain(params, options, start, np.random.default_rng(stream)) for stream in streams[1:]]
    iterations += sum(c.iterations for c in chains)
    root = np.sqrt(options.replicas)
    Cs = np.array([c.C for c in chains])
    exponents = np.array([c.exponent for c in chains])
    c2 = np.array([c.c_square for c in chains])
    C_infs = np.array([c.C_inf for c in chains])
    kappas = np.array([decay_rate(c) for c in Cs])
    finite = np.isfinite(kappas)
    nan = float("nan")
    return Stationary(
        C=Cs.mean(axis=0),
        C_stderr=Cs.std(axis=0, ddof=1) / root,
        C_inf=float(C_infs.mean()),
        c_square=float(c2.mean()),
        c_square_stderr=float(c2.std(ddof=1) / root),
        lyapunov_max=float(exponents.mean()),
        lyapunov_max_stderr=float(exponents.std(ddof=1) / root),
        C0_residual=float(abs(np.mean([c.C0_drift for c in chains]))),
        c_square_residual=float(abs(np.mean([c.c_square_drift for c in chains]))),
        lyapunov_residual=float(abs(np.mean([c.lyapunov_drift for c in chains]))),
        iterations=iterations,
        converged=converged,
        decay_rate=float(kappas[finite].mean()) if finite.any() else nan,
        decay_rate_stderr=float(kappas[finite].std(ddof=1) / np.sqrt(finite.sum())) if finite.sum() > 1 else nan,
    )
