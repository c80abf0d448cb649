"""The driver: one network realisation (model, N, seed) and a batch of (g, σ_b) points sharing it.

:func:`run` checks every input (InputError naming the value, before any weight is drawn), builds
this rank's share of the network, integrates the batch with :class:`eoc.simulate.engine.Engine`,
and returns the per-job dataset of docs/interfaces.md ("Per-job simulation file"). With ``out``,
rank 0 writes it atomically and the checkpoint (if any) is deleted afterwards. Under MPI every
rank calls :func:`run` with the same arguments and gets the same dataset.
"""

from __future__ import annotations

import json
import logging
import math
import sys
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import xarray as xr

from eoc import io, validation
from eoc.errors import InputError
from eoc.logs import get_logger
from eoc.simulate import checkpoint as checkpoints
from eoc.simulate.disorder import Disorder, initial_state, initial_tangents
from eoc.simulate.engine import Engine, steps_per_lag
from eoc.simulate.lstm import GATES, LSTM
from eoc.simulate.lyapunov import entropy_rate, kaplan_yorke_dimension
from eoc.simulate.observables import jacobian_radius
from eoc.simulate.parallel import Partition, world
from eoc.simulate.rate import RateModel
from eoc.simulate.recurrent import RecurrentProduct

log = get_logger(__name__)

MODELS = ("lstm", "rate")
DTYPES = ("float64", "float32")
#: Run length and renormalisation interval in steps (rate model: steps of dt = 0.1, i.e. 500 t + 100 t).
DEFAULTS = {
    "lstm": {"steps": 5000, "transient": 1000, "renorm_interval": 10},
    "rate": {"steps": 5000, "transient": 1000, "renorm_interval": 10},
}
#: Units whose time series are kept for the autocorrelation (an evenly spaced subset for large N).
AUTOCORR_UNITS = 256


@dataclass(frozen=True)
class Config:
    """A checked run configuration (also the provenance record and the checkpoint fingerprint)."""

    model: str
    g: list[float]
    sigma_b: list[float]
    N: int
    seed: int
    steps: int
    transient: int
    k: int
    dtype: str
    dt: float
    n_lags: int
    renorm_interval: int
    gate_gains: dict[str, float] = field(default_factory=dict)
    bias_means: dict[str, float] = field(default_factory=dict)
    jacobian_max_N: int = 1000

    @property
    def time_step(self) -> float:
        return 1.0 if self.model == "lstm" else self.dt

    @property
    def state_dim(self) -> int:
        return 2 * self.N if self.model == "lstm" else self.N

    @property
    def time_unit(self) -> str:
        return "step" if self.model == "lstm" else "t"

    def point_gains(self) -> np.ndarray:
        """(4, P) per-gate gains for the LSTM, (P,) for the rate model; points ordered (g, σ_b)."""
        g = np.repeat(self.g, len(self.sigma_b))
        if self.model == "rate":
            return g
        return np.stack([np.full_like(g, self.gate_gains[gate]) if gate in self.gate_gains else g for gate in GATES])

    def point_bias_scales(self) -> np.ndarray:
        return np.tile(self.sigma_b, len(self.g))


def check(
    *,
    model,
    g,
    sigma_b,
    N,
    seed,
    steps=None,
    transient=None,
    k=1,
    dtype="float64",
    dt=0.1,
    n_lags=100,
    renorm_interval=None,
    gate_gains=None,
    bias_means=None,
    jacobian_max_N=1000,
    ranks: int = 1,
) -> Config:
    """Validate every input of :func:`run`; return the :class:`Config` (or raise InputError)."""
    model = validation.choice("model", model, MODELS)
    g = validation.grid("g", np.atleast_1d(g).tolist(), validation.positive)
    sigma_b = validation.grid("sigma_b", np.atleast_1d(sigma_b).tolist(), validation.nonnegative)
    N = validation.integer("N", N, minimum=2)
    seed = validation.integer("seed", seed, minimum=0)
    defaults = DEFAULTS[model]
    renorm_interval = validation.integer("renorm_interval", defaults["renorm_interval"] if renorm_interval is None else renorm_interval, minimum=1)
    steps = validation.integer("steps", defaults["steps"] if steps is None else steps, minimum=2 * renorm_interval)
    transient = validation.integer("transient", defaults["transient"] if transient is None else transient, minimum=0)
    dtype = validation.choice("dtype", dtype, DTYPES)
    dt = validation.positive("dt", dt)
    if model == "rate" and not any(math.isclose(x, round(x), rel_tol=1e-9) for x in (1 / dt, dt)):
        raise InputError(f"dt must be 1/n or n for an integer n (lags are spaced by max(1, dt)), got dt={dt!r}")
    state_dim = 2 * N if model == "lstm" else N
    k = validation.integer("k", k, minimum=0)
    if k > state_dim:
        raise InputError(f"k must be at most the state dimension {state_dim}, got k={k}")
    n_lags = validation.integer("n_lags", n_lags, minimum=2)
    samples = steps // (1 if model == "lstm" else steps_per_lag(dt))
    if n_lags > samples // 2:
        raise InputError(f"n_lags={n_lags} needs at least {2 * n_lags} model time units of measurement; steps={steps} give {samples}")
    gate_gains = {str(x): validation.positive(f"gain of gate {x}", v) for x, v in (gate_gains or {}).items()}
    bias_means = {str(x): validation.finite(f"bias mean of gate {x}", v) for x, v in (bias_means or {}).items()}
    for name, per_gate in (("gate gains", gate_gains), ("bias means", bias_means)):
        if per_gate and model != "lstm":
            raise InputError(f"{name} {per_gate!r} apply to the LSTM only, not to model {model!r}")
        for gate in per_gate:
            validation.choice(f"gate of the {name}", gate, GATES)
    jacobian_max_N = validation.integer("jacobian_max_N", jacobian_max_N, minimum=0)
    Partition(N, ranks)  # more ranks than units
    return Config(model, g, sigma_b, N, seed, steps, transient, k, dtype, dt if model == "rate" else 1.0,
                  n_lags, renorm_interval, gate_gains, bias_means, jacobian_max_N)


def build_dynamics(config: Config, comm, *, transfer=None):
    """This rank's share of the network and the batched dynamics, at the initial state."""
    partition = Partition(config.N, comm.size)
    units = partition.rows(comm.rank)
    gates = 4 if config.model == "lstm" else 1
    disorder = Disorder.draw(n=config.N, seed=config.seed, gates=gates, units=units, dtype=np.dtype(config.dtype))
    product = RecurrentProduct(disorder.weights, comm, partition)
    points = len(config.g) * len(config.sigma_b)
    dtype = np.dtype(config.dtype)
    if config.model == "lstm":
        full = initial_state(config.seed, 2 * config.N, scale=0.5)
        rows = np.r_[units.start : units.stop, config.N + units.start : config.N + units.stop]
    else:
        full = initial_state(config.seed, config.N)
        rows = np.arange(units.start, units.stop)
    state = np.repeat(full[rows, None], points, axis=1).astype(dtype)
    tangents = np.repeat(initial_tangents(config.seed, config.state_dim, config.k)[rows, None, :], points, axis=1).astype(dtype)
    common = dict(gains=config.point_gains(), bias_scales=config.point_bias_scales(), state=state, tangents=tangents)
    if config.model == "lstm":
        means = np.array([config.bias_means.get(gate, 0.0) for gate in GATES])
        return LSTM(disorder, product, bias_means=means, **common)
    extra = {} if transfer is None else {"transfer": transfer}
    return RateModel(disorder, product, dt=config.dt, **common, **extra)


def recorded_units(config: Config, comm) -> np.ndarray:
    """Local indices of this rank's units among the evenly spaced autocorrelation subset."""
    units = Partition(config.N, comm.size).rows(comm.rank)
    stride = max(1, config.N // AUTOCORR_UNITS)
    return np.array([j - units.start for j in range(units.start, units.stop) if j % stride == 0], dtype=np.int64)


def run(
    *,
    model,
    g,
    sigma_b,
    N,
    seed,
    steps=None,
    transient=None,
    k=1,
    dtype="float64",
    dt=0.1,
    n_lags=100,
    renorm_interval=None,
    gate_gains=None,
    bias_means=None,
    jacobian_max_N=1000,
    checkpoint=None,
    checkpoint_seconds=300.0,
    out=None,
    progress=None,
    comm=None,
) -> xr.Dataset:
    """Simulate one network realisation for the outer product of ``g`` and ``sigma_b``.

    model: "lstm" (discrete time, unit step) or "rate" (RK4 with step ``dt``). g: gain(s) (the gain
    of every gate unless ``gate_gains`` fixes some of f, i, o, c); sigma_b: bias spread(s);
    ``bias_means``: μ per LSTM gate (default 0). ``steps`` measured steps after ``transient``
    steps; ``k`` tangent vectors (k leading exponents); ``renorm_interval`` steps between QRs;
    ``n_lags`` lags of the autocorrelation (spacing one model time unit, or dt when dt > 1). ``jacobian_max_N``: the
    zero-state Jacobian is diagonalised only up to this N (else NaN). ``checkpoint``: a file to
    write every ``checkpoint_seconds`` of work and resume from. ``out``: rank 0 writes there.
    """
    started = time.monotonic()
    comm = world() if comm is None else comm
    config = check(model=model, g=g, sigma_b=sigma_b, N=N, seed=seed, steps=steps, transient=transient, k=k,
                   dtype=dtype, dt=dt, n_lags=n_lags, renorm_interval=renorm_interval, gate_gains=gate_gains,
                   bias_means=bias_means, jacobian_max_N=jacobian_max_N, ranks=comm.size)
    checkpoint_seconds = validation.nonnegative("checkpoint_seconds", checkpoint_seconds)
    out = io.check_writable(out) if out is not None else None
    checkpoint = io.check_writable(checkpoint) if checkpoint is not None else None
    fingerprint = json.dumps({**asdict(config), "mpi_size": comm.size}, sort_keys=True)
    saved = checkpoints.load(checkpoint, fingerprint=fingerprint, comm=comm) if checkpoint is not None else None
    if progress is None:
        progress = sys.stderr.isatty()

    log.info("%s N=%d seed=%d, %d point(s), k=%d on %d rank(s)", config.model, config.N, config.seed,
             len(config.g) * len(config.sigma_b), config.k, comm.size)
    dynamics = build_dynamics(config, comm)
    radius = np.full(dynamics.state.shape[1], np.nan)
    if config.N <= config.jacobian_max_N:
        radius = jacobian_radius(dynamics, comm, zero_state_rows=config.state_dim)
    engine = Engine(dynamics, comm, n_units=config.N, steps=config.steps, transient=config.transient,
                    renorm_interval=config.renorm_interval, n_lags=config.n_lags,
                    recorded_units=recorded_units(config, comm), checkpoint=checkpoint,
                    checkpoint_seconds=checkpoint_seconds, fingerprint=fingerprint,
                    progress=progress and comm.rank == 0)
    if saved is not None:
        engine.restore(*saved)
        log.info("resumed from %s at step %d", checkpoint, engine.step)
    setup_time = time.monotonic() - started
    engine.integrate()
    wall_time = engine.elapsed + setup_time
    ds = dataset(config, engine.results(), radius, wall_time=wall_time, comm=comm)
    if out is not None and comm.rank == 0:
        io.write_dataset(ds, out)
        log.info("wrote %s", out)
    if checkpoint is not None and comm.rank == 0:
        checkpoint.unlink(missing_ok=True)
    if log.isEnabledFor(logging.INFO):
        points = zip(np.repeat(config.g, len(config.sigma_b)), config.point_bias_scales(),
                     ds["status"].values.ravel(), ds["lyapunov_max"].values.ravel())
        for g_p, sigma_b_p, status, exponent in points:
            log.info("g=%g sigma_b=%g: status %s, lyapunov_max %.5g", g_p, sigma_b_p, status, exponent)
    return ds


def dataset(config: Config, results: dict, radius: np.ndarray, *, wall_time: float, comm) -> xr.Dataset:
    """The per-job dataset (docs/interfaces.md): dims (model, g, sigma_b, N, seed) + lag, gate, exponent."""
    shape = (1, len(config.g), len(config.sigma_b), 1, 1)
    base = ("model", "g", "sigma_b", "N", "seed")

    def scalar(values):
        return base, np.asarray(values).reshape(shape)

    def over(dim, values):  # values (n, P) -> (..., n)
        values = np.asarray(values)
        return base + (dim,), np.moveaxis(values, 0, -1).reshape(shape + (values.shape[0],))

    exponents = results["lyapunov"]
    spectrum = exponents if config.k > 1 else np.full_like(exponents, np.nan)
    unit = config.time_unit
    ds = xr.Dataset(
        {
            "lyapunov_max": scalar(exponents[:, 0]),
            "lyapunov_max_stderr": scalar(results["lyapunov_max_stderr"]),
            "lyapunov_spectrum": over("exponent", spectrum.T),
            "kaplan_yorke_dimension": scalar([kaplan_yorke_dimension(e) for e in exponents] if config.k > 1 else np.full(len(exponents), np.nan)),
            "entropy_rate": scalar([entropy_rate(e) for e in exponents]),
            "C0": scalar(results["C0"]),
            "autocorr": over("lag", results["autocorr"]),
            "tau_corr": scalar(results["tau_corr"]),
            "gate_mean": over("gate", results["gate_mean"]),
            "gate_std": over("gate", results["gate_std"]),
            "jacobian_radius": scalar(radius),
            "status": scalar(results["status"].astype(str)),
            "status_step": scalar(results["status_step"]),
            "wall_time": scalar(np.full(exponents.shape[0], wall_time)),
        },
        coords={
            "model": [config.model],
            "g": config.g,
            "sigma_b": config.sigma_b,
            "N": [config.N],
            "seed": [config.seed],
            "lag": np.arange(config.n_lags) * steps_per_lag(config.time_step) * config.time_step,
            "gate": ["f", "i", "o"],
            "exponent": np.arange(max(config.k, 1)),
        },
    )
    rate_unit = f"1/{unit}"
    io.annotate(ds, {
        "model": ("", "model: full LSTM or its rate model"),
        "g": ("1", "recurrent gain g (weights g Z / sqrt(N))"),
        "sigma_b": ("1", "bias spread sigma_b"),
        "N": ("1", "number of units"),
        "seed": ("1", "network realisation (seed of the disorder)"),
        "lag": (unit, "lag tau of the autocorrelation"),
        "gate": ("", "LSTM gate"),
        "exponent": ("1", "index of the Lyapunov exponent (0: maximal)"),
        "lyapunov_max": (rate_unit, "maximal Lyapunov exponent"),
        "lyapunov_max_stderr": (rate_unit, "standard error of the maximal Lyapunov exponent (block averages)"),
        "lyapunov_spectrum": (rate_unit, "k leading Lyapunov exponents (NaN when k <= 1)"),
        "kaplan_yorke_dimension": ("1", "Kaplan-Yorke dimension from the k leading exponents"),
        "entropy_rate": (rate_unit, "sum of the positive Lyapunov exponents (NaN if k too small)"),
        "C0": ("1", "time average of |h|^2 / N"),
        "autocorr": ("1", "autocorrelation C(tau) = <h(t).h(t+tau)>/N (total, not connected)"),
        "tau_corr": (unit, "correlation time: lag where the connected normalised autocorrelation reaches 1/e"),
        "gate_mean": ("1", "mean of the LSTM gate over units and time"),
        "gate_std": ("1", "standard deviation of the LSTM gate over units and time"),
        "jacobian_radius": ("1" if config.model == "lstm" else rate_unit, "spectral radius of the Jacobian at the zero state"),
        "status": ("", "chaotic, fixed_point, limit_cycle, undecided or diverged (eoc.status)"),
        "status_step": ("step", "step at which the status was decided (-1 when chaotic)"),
        "wall_time": ("s", "wall-clock time of the run"),
    })
    ds.attrs.update(io.provenance(asdict(config), mpi_size=comm.size, mpi_library=comm.library))
    return ds
