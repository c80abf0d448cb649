"""The options of one simulation job: a frozen dataclass that validates itself.

``Options(model=..., g=..., sigma_b=..., N=..., seed=..., ...)`` checks every value (InputError
naming the value, before any weight is drawn) and fills the model's defaults, so an Options object
is always a valid run. It is what :func:`eoc.simulate.run` takes, what ``eoc simulate`` is
generated from (:mod:`eoc.cli.arguments`: each field's type, default and help), and, as
:meth:`Options.as_dict`, the provenance record (the ``config`` attribute of the per-job file) and
the checkpoint fingerprint.

A new option is one field made with :func:`eoc.options.option` (help text, command-line group) and,
if it needs one, a check in ``__post_init__``; the command line follows. Settings that do not change
the results (where to write, checkpoints, progress) are keywords of :func:`eoc.simulate.run`, not
options.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from eoc import validation
from eoc.errors import InputError
from eoc.options import option
from eoc.simulate.engine import steps_per_lag
from eoc.simulate.models import MODELS
from eoc.simulate.parallel import Partition

DTYPES = ("float64", "float32")

_RUN = "run length and method"
_GATES = "gates (models with gates)"
_ADAPTIVE = "adaptive run length"


def _per_model(name: str) -> str:
    return "per model: " + ", ".join(f"{model} {cls.defaults[name]}" for model, cls in MODELS.items())


def _gate_names() -> str:
    return ", ".join(dict.fromkeys(gate for cls in MODELS.values() for gate in cls.gates))


@dataclass(frozen=True, kw_only=True)
class Options:
    """One or more network realisations (model, N, seeds) and the batch of points g × sigma_b that
    each shares (several seeds are stepped together: :mod:`eoc.simulate.networks`).

    model: a name of :data:`eoc.simulate.models.MODELS`. g: gain(s), the gain of every gate unless
    ``gate_gains`` fixes some; sigma_b: bias spread(s); the points are their outer product, ordered
    (g, σ_b). ``steps`` measured steps after ``transient`` steps (defaults per model); ``k``
    tangent vectors (the k leading exponents; 0: the state only); ``dtype`` of the state and the
    weights; ``dt`` the time step (its meaning per model: the model's ``dt_meaning``; a map stores
    1); ``n_lags`` lags of the autocorrelation (spacing one model time unit, or dt when dt > 1);
    ``renorm_interval`` steps between QRs; ``jacobian_max_N``: the zero-state Jacobian is
    diagonalised only up to this N (else NaN). ``gate_gains``, ``bias_means``: gain and bias mean μ
    per gate (default: g and 0).

    Adaptive run length (off by default): with ``target_stderr`` the run measures ``steps`` steps,
    then continues in chunks while some point of the batch (any seed, g, σ_b) has a standard error
    of λ_max above ``target_stderr`` (per model time unit), until ``max_steps`` measured steps
    (:meth:`eoc.simulate.engine.Engine.integrate`); points already at the target keep stepping with the
    others (they only get more precise). Both are given together, and k ≥ 1; ``steps_measured`` of
    the result says how many steps each cell measured.
    """

    model: str = option(help=f"the model: {', '.join(MODELS)}")
    g: list[float] = option(help="gain(s) g")
    sigma_b: list[float] = option(help="bias spread(s) sigma_b")
    N: int = option(help="number of units")
    seed: list[int] = option(help="network realisation(s): one network per seed, stepped together")
    steps: int | None = option(None, group=_RUN, help="measured steps (steps of dt)", default_text=_per_model("steps"))
    transient: int | None = option(
        None, group=_RUN, help="discarded steps before measuring", default_text=_per_model("transient")
    )
    k: int = option(1, group=_RUN, help="number of leading Lyapunov exponents (0: the state only)")
    dtype: str = option("float64", group=_RUN, help=" or ".join(DTYPES))
    dt: float = option(
        0.1, group=_RUN, help="time step; " + "; ".join(f"{m}: {cls.dt_meaning}" for m, cls in MODELS.items())
    )
    n_lags: int = option(100, group=_RUN, help="lags of the autocorrelation, spacing 1 (dt if dt > 1)")
    renorm_interval: int | None = option(
        None, group=_RUN, help="steps between QR re-orthonormalisations", default_text=_per_model("renorm_interval")
    )
    jacobian_max_N: int = option(1000, group=_RUN, help="largest N for the zero-state Jacobian")
    target_stderr: float | None = option(
        None,
        group=_ADAPTIVE,
        help="continue past --steps until the standard error of lambda_max (per model time unit) of every "
        "point is at most this, or --max-steps is reached",
        default_text="off: exactly --steps",
    )
    max_steps: int | None = option(
        None, group=_ADAPTIVE, help="the most measured steps with --target-stderr (at least --steps)"
    )
    gate_gains: dict[str, float] = option(
        default_factory=dict,
        group=_GATES,
        flag="--gate-gain",
        metavar="GATE=VALUE",
        help=f"fix the gain of one gate ({_gate_names()}) instead of g; repeatable",
    )
    bias_means: dict[str, float] = option(
        default_factory=dict,
        group=_GATES,
        flag="--bias-mean",
        metavar="GATE=VALUE",
        help="bias mean mu of one gate (default 0); repeatable",
    )

    def __post_init__(self) -> None:
        def put(name, value):
            object.__setattr__(self, name, value)

        put("model", validation.choice("model", self.model, tuple(MODELS)))
        model = MODELS[self.model]
        put("g", validation.grid("g", np.atleast_1d(self.g).tolist(), validation.positive))
        put("sigma_b", validation.grid("sigma_b", np.atleast_1d(self.sigma_b).tolist(), validation.nonnegative))
        put("N", validation.integer("N", self.N, minimum=2))
        seeds = [validation.integer("seed", x, minimum=0) for x in np.atleast_1d(self.seed).tolist()]
        put("seed", validation.grid("seed", seeds, lambda name, x: x))
        for name in ("renorm_interval", "steps", "transient"):
            if getattr(self, name) is None:
                put(name, model.defaults[name])
        put("renorm_interval", validation.integer("renorm_interval", self.renorm_interval, minimum=1))
        put("steps", validation.integer("steps", self.steps, minimum=2 * self.renorm_interval))
        put("transient", validation.integer("transient", self.transient, minimum=0))
        put("dtype", validation.choice("dtype", self.dtype, DTYPES))
        put("dt", model.check_time_step(validation.positive("dt", self.dt)))
        put("k", validation.integer("k", self.k, minimum=0))
        if self.k > self.state_dim:
            raise InputError(f"k must be at most the state dimension {self.state_dim}, got k={self.k}")
        put("n_lags", validation.integer("n_lags", self.n_lags, minimum=2))
        samples = self.steps // steps_per_lag(self.dt)
        if self.n_lags > samples // 2:
            raise InputError(
                f"n_lags={self.n_lags} needs at least {2 * self.n_lags} model time units of measurement; "
                f"steps={self.steps} give {samples}"
            )
        gated = [name for name, cls in MODELS.items() if cls.gates]
        for name, label, check in (
            ("gate_gains", "gain of gate", validation.positive),
            ("bias_means", "bias mean of gate", validation.finite),
        ):
            title = name.replace("_", " ")
            per_gate = {str(x): check(f"{label} {x}", v) for x, v in (getattr(self, name) or {}).items()}
            if per_gate and not model.gates:
                raise InputError(
                    f"{title} {per_gate!r} apply only to models with gates ({', '.join(gated)}), "
                    f"not to model {self.model!r}"
                )
            for gate in per_gate:
                validation.choice(f"gate of the {title}", gate, model.gates)
            put(name, per_gate)
        put("jacobian_max_N", validation.integer("jacobian_max_N", self.jacobian_max_N, minimum=0))
        self._check_adaptive(put)

    def _check_adaptive(self, put) -> None:
        """``target_stderr`` and ``max_steps`` together (or neither), max_steps ≥ steps, k ≥ 1."""
        if self.target_stderr is None and self.max_steps is None:
            return
        if self.target_stderr is None or self.max_steps is None:
            given, missing = (
                ("max_steps", "target_stderr") if self.target_stderr is None else ("target_stderr", "max_steps")
            )
            raise InputError(
                f"{given}={getattr(self, given)!r} needs {missing} too: the run continues past steps "
                "until the target standard error of lambda_max or the step limit"
            )
        put("target_stderr", validation.positive("target_stderr", self.target_stderr))
        put("max_steps", validation.integer("max_steps", self.max_steps, minimum=1))
        if self.max_steps < self.steps:
            raise InputError(
                f"max_steps={self.max_steps} is below steps={self.steps}: the limit must be at least steps"
            )
        if self.k < 1:
            raise InputError(
                f"target_stderr={self.target_stderr!r} needs k >= 1 (lambda_max is measured with tangents), got k=0"
            )

    # -- derived -------------------------------------------------------------------------------------
    @property
    def model_class(self):
        """The model's class (dynamics and facts) in :data:`eoc.simulate.models.MODELS`."""
        return MODELS[self.model]

    @property
    def state_dim(self) -> int:
        """Dimension of the whole state: state variables per unit times N."""
        return self.model_class.state_per_unit * self.N

    @property
    def time_step(self) -> float:
        """One step in model time units (the map's step is 1)."""
        return self.dt

    @property
    def time_unit(self) -> str:
        """The model's unit of time ("step" for a map)."""
        return self.model_class.time_unit

    @property
    def step_limit(self) -> int:
        """The most measured steps of the run: ``max_steps`` with a target, else ``steps``."""
        return self.steps if self.target_stderr is None else self.max_steps

    @property
    def points(self) -> int:
        """Points of one network: len(g) · len(sigma_b)."""
        return len(self.g) * len(self.sigma_b)

    @property
    def networks(self) -> int:
        """Networks (seeds) of the job; the batch holds networks · points points, seed-major."""
        return len(self.seed)

    def point_gains(self) -> np.ndarray:
        """The gains per point in the model's layout (LSTM: (4, P) per gate; rate model: (P,))."""
        return self.model_class.point_gains(np.repeat(self.g, len(self.sigma_b)), self.gate_gains)

    def point_bias_scales(self) -> np.ndarray:
        """σ_b per point, (P,)."""
        return np.tile(self.sigma_b, len(self.g))

    def check_ranks(self, ranks: int) -> None:
        """InputError if the N units cannot be shared by ``ranks`` MPI ranks."""
        Partition(self.N, ranks)

    def as_dict(self) -> dict:
        """Every option (the provenance record; with the MPI size, the checkpoint fingerprint)."""
        return asdict(self)
