"""`eoc dmft`: solve the DMFT of the rate model on a (g, σ_b) grid and write dmft.nc."""

from __future__ import annotations

from eoc.logs import get_logger
from eoc.meanfield.rate.options import Options

_DEFAULTS = Options()

_SOLVER_OPTIONS = {
    "nodes": (int, "quadrature points of 1-D Gaussian expectations and of the outer variable of 2-D ones"),
    "inner_nodes": (int, "quadrature points of the inner variable of 2-D Gaussian expectations"),
    "chebyshev_degree": (int, "degree of the Chebyshev interpolant of lambda2(C) on [C_inf, C0]"),
    "tau_max": (float, "largest lag of the written autocorr curve"),
    "tau_step": (float, "lag spacing of the written autocorr curve"),
    "box_decay_lengths": (float, "Schroedinger box half-width in correlation times 1/lambda"),
    "min_box": (float, "smallest Schroedinger box half-width"),
    "box_points": (int, "finite-difference points per box half-width"),
    "c0_trial_max": (float, "largest trial variance of f_g"),
    "c0_trial_count": (int, "number of trial variances of f_g"),
    "maxiter": (int, "iteration limit of each root finder"),
}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "dmft",
        help="solve the DMFT of the rate model on a (g, sigma_b) grid",
        description="Solve the rate model's DMFT on the outer-product grid of --g and --sigma-b and "
        "write one netCDF file (dmft.nc schema, docs/interfaces.md).",
    )
    parser.add_argument("--g", nargs="+", required=True, metavar="G", help="gains (> 0)")
    parser.add_argument("--sigma-b", nargs="+", required=True, metavar="S", help="bias std devs (>= 0)")
    parser.add_argument("--out", required=True, metavar="PATH.nc", help="output netCDF file")
    solver = parser.add_argument_group("solver options")
    for name, (kind, text) in _SOLVER_OPTIONS.items():
        default = getattr(_DEFAULTS, name)
        solver.add_argument(
            f"--{name.replace('_', '-')}", type=kind, default=default, help=f"{text} (default {default})"
        )
    parser.set_defaults(func=run)


def run(args) -> None:
    from eoc import io
    from eoc.meanfield.rate import solve_grid

    path = io.check_writable(args.out, name="--out")
    options = {name: getattr(args, name) for name in _SOLVER_OPTIONS}
    ds = solve_grid(args.g, args.sigma_b, **options)
    io.write_dataset(ds, path)
    failed = int((ds["status"] != "ok").sum())
    get_logger("dmft").info("wrote %s (%d points, %d not ok)", path, ds["status"].size, failed)
