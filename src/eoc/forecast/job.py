"""One forecasting job: a (system, N, seed) reservoir over a block of (g, σ_b) points → a netCDF file.

Validated options (``ForecastOptions``), then :func:`run` draws the series and the reservoir and
returns a dataset with dimensions (g, sigma_b) and scalar coordinates system, N, seed:

* ``nrmse_one_step``: teacher-forced one-step-ahead NRMSE over the test stretch (units 1);
* ``nrmse_free_run``: closed-loop NRMSE over ``horizon`` steps, averaged over ``starts`` starts.

Attributes: the options (JSON, ``config``) and the rest of the provenance of :func:`eoc.io.provenance`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import xarray as xr

from eoc import io, validation
from eoc.errors import InputError
from eoc.forecast import series as chaotic
from eoc.forecast.reservoir import Reservoir, forecast_errors

#: Default task sizes per system (samples of the series): washout, train, test, free-run horizon.
TASKS = {
    "lorenz63": {"washout": 500, "train": 5000, "test": 2000, "horizon": 50},
    "mackey_glass": {"washout": 500, "train": 5000, "test": 2000, "horizon": 50},
}
GATES = ("f", "i", "o", "c")


@dataclass(frozen=True)
class ForecastOptions:
    system: str
    g: tuple
    sigma_b: tuple
    N: int
    seed: int
    input_gain: float = 1.0
    bias_means: dict = field(default_factory=dict)
    washout: int | None = None
    train: int | None = None
    test: int | None = None
    horizon: int | None = None
    starts: int = 20
    regularisation: float = 1e-6

    @classmethod
    def checked(cls, **values) -> ForecastOptions:
        """Validate every value (InputError naming the bad one) and fill the system's defaults."""
        system = validation.choice("system", values.pop("system"), chaotic.SYSTEMS)
        task = dict(TASKS[system])
        for name in ("washout", "train", "test", "horizon"):
            if values.get(name) is not None:
                task[name] = validation.integer(name, values.pop(name), minimum=1)
            values.pop(name, None)
        g = tuple(validation.grid("g", values.pop("g"), validation.nonnegative))
        sigma_b = tuple(validation.grid("sigma_b", values.pop("sigma_b"), validation.nonnegative))
        means = dict(values.pop("bias_means", None) or {})
        unknown = set(means) - set(GATES)
        if unknown:
            raise InputError(f"bias means: unknown gate(s) {sorted(unknown)}; the gates are f, i, o, c")
        means = {x: validation.finite(f"bias mean of gate {x}", v) for x, v in means.items()}
        options = cls(
            system=system,
            g=g,
            sigma_b=sigma_b,
            N=validation.integer("N", values.pop("N"), minimum=2),
            seed=validation.integer("seed", values.pop("seed"), minimum=0),
            input_gain=validation.nonnegative("input gain", values.pop("input_gain", 1.0)),
            bias_means=means,
            starts=validation.integer("starts", values.pop("starts", 20), minimum=1),
            regularisation=validation.nonnegative("regularisation", values.pop("regularisation", 1e-6)),
            **task,
        )
        if values:
            raise InputError(f"unknown forecast option(s): {sorted(values)}")
        if options.horizon > options.test:
            raise InputError(f"horizon {options.horizon} exceeds the test stretch {options.test}")
        return options


_METADATA = {
    "g": ("1", "recurrent gain of all four gates"),
    "sigma_b": ("1", "standard deviation of the gate biases"),
    "N": ("1", "number of units"),
    "seed": ("1", "network realisation"),
    "nrmse_one_step": ("1", "one-step-ahead NRMSE on the test stretch (teacher forced)"),
    "nrmse_free_run": ("1", "NRMSE of the free-running forecast over the horizon, mean over starts"),
}


def run(options: ForecastOptions) -> xr.Dataset:
    """Run the job; see the module docstring for the dataset."""
    samples = options.washout + options.train + options.test + 1
    x = chaotic.generate(options.system, samples)
    reservoir = Reservoir.draw(
        n=options.N,
        seed=options.seed,
        g=options.g,
        sigma_b=options.sigma_b,
        inputs=x.shape[1],
        input_gain=options.input_gain,
        bias_means=options.bias_means,
    )
    errors = forecast_errors(
        reservoir,
        x,
        washout=options.washout,
        train=options.train,
        test=options.test,
        horizon=options.horizon,
        starts=options.starts,
        regularisation=options.regularisation,
    )
    shape = (len(options.g), len(options.sigma_b))
    ds = xr.Dataset(
        {f"nrmse_{name}": (("g", "sigma_b"), values.reshape(shape)) for name, values in errors.items()},
        coords={
            "g": list(options.g),
            "sigma_b": list(options.sigma_b),
            "system": options.system,
            "N": options.N,
            "seed": options.seed,
        },
    )
    io.annotate(ds, _METADATA)
    ds.attrs.update(
        sampling_interval=chaotic.SAMPLING[options.system],
        bias_means=str(options.bias_means),
        **io.provenance(asdict(options), title="reservoir forecasting with an input-driven LSTM"),
    )
    return ds


#: Keys of the workflow's ``forecast`` config that become ``eoc forecast run`` options.
COMMAND_OPTIONS = ("input_gain", "washout", "train", "test", "horizon", "starts")


def sweep_jobs(config: dict | None) -> list[dict]:
    """The jobs of the workflow's ``forecast`` config: one per (system, N, seed); none without it."""
    if not config:
        return []
    return [dict(system=s, N=n, seed=k) for s in config["systems"] for n in config["N"] for k in config["seeds"]]


def command_options(config: dict | None) -> str:
    """``eoc forecast run`` options from the keys of the workflow's ``forecast`` config that are set."""
    return " ".join(f"--{name.replace('_', '-')} {config[name]}" for name in COMMAND_OPTIONS if name in (config or {}))
