"""`eoc dmft`: solve the N = ∞ theory of a model on a (g, σ_b) grid and write one netCDF file.

``--model rate`` (default): the rate model's DMFT (:mod:`eoc.meanfield.rate`, dmft.nc);
``--model lstm``: the full LSTM's mean-field theory (:mod:`eoc.meanfield.lstm`, dmft_lstm.nc).
Each model has its own solver options; an option of the other model is an input error (exit 2).
"""

from __future__ import annotations

import dataclasses
import typing

from eoc.errors import InputError
from eoc.logs import get_logger
from eoc.meanfield.lstm.options import Options as LstmOptions
from eoc.meanfield.rate.options import Options as RateOptions

_RATE_OPTIONS = {
    "nodes": "quadrature points of 1-D Gaussian expectations and of the outer variable of 2-D ones",
    "inner_nodes": "quadrature points of the inner variable of 2-D Gaussian expectations",
    "chebyshev_degree": "degree of the Chebyshev interpolant of lambda2(C) on [C_inf, C0]",
    "tau_max": "largest lag of the written autocorr curve",
    "tau_step": "lag spacing of the written autocorr curve",
    "box_decay_lengths": "Schroedinger box half-width in correlation times 1/lambda",
    "min_box": "smallest Schroedinger box half-width",
    "box_points": "finite-difference points per box half-width",
    "c0_trial_max": "largest trial variance of f_g",
    "c0_trial_count": "number of trial variances of f_g",
    "maxiter": "iteration limit of each root finder",
}

_LSTM_OPTIONS = {
    "paths": "sampled units per evaluation of the self-consistency map (fine phase, error batches)",
    "coarse_paths": "sampled units per evaluation in the coarse phase",
    "steps": "length of each sampled path after burn-in",
    "burn_in": "steps run before recording",
    "lags": "lag window of C_h(tau) (at most steps/4)",
    "damping": "weight of the new estimate in each coarse update, in (0, 1]",
    "coarse_tolerance": "relative change of C_h(0) that ends the coarse phase",
    "max_iterations": "iteration limit of the coarse phase",
    "fine_iterations": "undamped iterations per replica before the averaged ones",
    "batches": "averaged iterations per replica",
    "replicas": "independent continuations of the shared approach; their scatter is every error",
    "chunk": "paths sampled at once (memory about 56*chunk*(steps+burn_in) bytes; small enough for the L2 cache)",
    "nodes": "quadrature points per dimension of the static equations",
    "seed": "seed of the sampled paths",
}

MODELS = {"rate": (RateOptions, _RATE_OPTIONS), "lstm": (LstmOptions, _LSTM_OPTIONS)}


def _option_types() -> dict[str, type]:
    """Type of every solver option of any model (an option two models share has one type)."""
    types: dict[str, type] = {}
    for cls, names in MODELS.values():
        hints = typing.get_type_hints(cls)
        for name in names:
            types.setdefault(name, hints[name])
    return types


def _help(name: str) -> str:
    parts = []
    for model, (cls, names) in MODELS.items():
        if name in names:
            default = next(f.default for f in dataclasses.fields(cls) if f.name == name)
            parts.append(f"{model}: {names[name]} (default {default})")
    return "; ".join(parts)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "dmft",
        help="solve the N = infinity theory (rate DMFT or LSTM mean field) on a (g, sigma_b) grid",
        description="Solve the N = infinity theory of --model on the outer-product grid of --g and "
        "--sigma-b and write one netCDF file (dmft.nc / dmft_lstm.nc schema, docs/interfaces.md).",
    )
    parser.add_argument(
        "--model",
        choices=sorted(MODELS),
        default="rate",
        help="rate: the rate model's DMFT; lstm: the full LSTM's mean-field theory (default rate)",
    )
    parser.add_argument("--g", nargs="+", required=True, metavar="G", help="gains (> 0)")
    parser.add_argument("--sigma-b", nargs="+", required=True, metavar="S", help="bias std devs (>= 0)")
    parser.add_argument("--out", required=True, metavar="PATH.nc", help="output netCDF file")
    solver = parser.add_argument_group("solver options (each names the models it applies to)")
    for name, kind in _option_types().items():
        solver.add_argument(f"--{name.replace('_', '-')}", dest=name, type=kind, default=None, help=_help(name))
    parser.set_defaults(func=run)


def solver_options(args) -> dict:
    """The solver options given on the command line for ``args.model``; InputError for another model's."""
    names = MODELS[args.model][1]
    given = {name: getattr(args, name) for name in _option_types() if getattr(args, name) is not None}
    foreign = sorted(name for name in given if name not in names)
    if foreign:
        flags = ", ".join("--" + name.replace("_", "-") for name in foreign)
        raise InputError(f"{flags}: not an option of --model {args.model}")
    return given


def run(args) -> None:
    from eoc import io

    options = solver_options(args)
    path = io.check_writable(args.out, name="--out")
    if args.model == "lstm":
        from eoc.meanfield.lstm import solve_grid
    else:
        from eoc.meanfield.rate import solve_grid
    ds = solve_grid(args.g, args.sigma_b, **options)
    io.write_dataset(ds, path)
    failed = int((ds["status"] != "ok").sum())
    get_logger("dmft").info("wrote %s (%s model, %d points, %d not ok)", path, args.model, ds["status"].size, failed)
