"""`eoc forecast run|merge|figure`: reservoir forecasting with an input-driven LSTM.

    eoc forecast run --system lorenz63 --N 500 --seed 0 --g 0.5 1 1.5 2 --sigma-b 0 0.5 \
        [--input-gain 1] [--bias-mean f=1] [--train 5000 --test 2000 --horizon 50] --out PATH.nc
    eoc forecast merge --out results/merged/forecast.nc results/forecast/*/*/*.nc
    eoc forecast figure --forecast results/merged/forecast.nc --outdir results/figures
"""

from __future__ import annotations

import argparse
from pathlib import Path

from eoc.forecast.series import SYSTEMS


def _gate_value(text: str) -> tuple[str, float]:
    gate, _, value = text.partition("=")
    try:
        return gate, float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected GATE=VALUE with GATE in f, i, o, c; got {text!r}") from None


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "forecast",
        help="reservoir forecasting of a chaotic series by an input-driven LSTM: run, merge, figure",
        description=__doc__.split("\n\n")[0],
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    run_parser = actions.add_parser("run", help="one (system, N, seed) over a block of (g, sigma_b) points")
    run_parser.add_argument("--system", required=True, choices=SYSTEMS, help="the chaotic series")
    run_parser.add_argument("--N", required=True, type=int, help="units of the reservoir")
    run_parser.add_argument("--seed", required=True, type=int, help="network realisation (the simulations' disorder)")
    run_parser.add_argument("--g", nargs="+", required=True, metavar="G", help="recurrent gains (>= 0)")
    run_parser.add_argument("--sigma-b", nargs="+", required=True, metavar="S", help="gate-bias std devs (>= 0)")
    run_parser.add_argument("--input-gain", type=float, default=1.0, help="gain of the input weights (default 1)")
    run_parser.add_argument(
        "--bias-mean",
        type=_gate_value,
        action="append",
        default=[],
        metavar="GATE=VALUE",
        help="bias mean of one gate (f, i, o, c); repeat per gate (default 0)",
    )
    for name, text in (
        ("washout", "discarded initial steps"),
        ("train", "training steps"),
        ("test", "test steps"),
        ("horizon", "free-run horizon in steps"),
    ):
        run_parser.add_argument(
            f"--{name}", type=int, default=None, help=f"{text} (default: per system, eoc.forecast.job.TASKS)"
        )
    run_parser.add_argument("--starts", type=int, default=20, help="free-run starts in the test stretch (default 20)")
    run_parser.add_argument("--regularisation", type=float, default=1e-6, help="ridge parameter beta (default 1e-6)")
    run_parser.add_argument("--out", required=True, metavar="PATH.nc", help="output netCDF file (written atomically)")
    run_parser.set_defaults(func=run)
    merge_parser = actions.add_parser("merge", help="combine job files into one forecast.nc")
    merge_parser.add_argument("files", nargs="+", type=Path, help="per-job netCDF files")
    merge_parser.add_argument("--out", required=True, type=Path, help="merged netCDF file")
    merge_parser.set_defaults(func=merge)
    figure_parser = actions.add_parser("figure", help="NRMSE against g per sigma_b with g_c marked")
    figure_parser.add_argument("--forecast", required=True, type=Path, help="merged forecast.nc")
    figure_parser.add_argument("--outdir", required=True, type=Path, help="folder of forecast_nrmse.png/.pdf")
    figure_parser.set_defaults(func=figure)


def run(args) -> None:
    from eoc import io
    from eoc.forecast.job import ForecastOptions
    from eoc.forecast.job import run as forecast
    from eoc.logs import get_logger

    options = ForecastOptions.checked(
        system=args.system,
        g=args.g,
        sigma_b=args.sigma_b,
        N=args.N,
        seed=args.seed,
        input_gain=args.input_gain,
        bias_means=dict(args.bias_mean),
        washout=args.washout,
        train=args.train,
        test=args.test,
        horizon=args.horizon,
        starts=args.starts,
        regularisation=args.regularisation,
    )
    path = io.check_writable(args.out)
    ds = forecast(options)
    io.write_dataset(ds, path)
    get_logger("forecast").info("wrote %s (%d points)", path, ds["nrmse_one_step"].size)


def merge(args) -> None:
    from eoc import io
    from eoc.forecast.merge import merge_forecast

    path = io.check_writable(args.out)
    io.write_dataset(merge_forecast(args.files), path)


def figure(args) -> None:
    import xarray as xr

    from eoc import io
    from eoc.errors import InputError
    from eoc.figures.forecast import forecast_nrmse
    from eoc.figures.style import save

    if not args.forecast.exists():
        raise InputError(f"forecast file {str(args.forecast)!r} does not exist")
    outdir = io.check_folder(args.outdir, name="--outdir")
    with xr.open_dataset(args.forecast) as ds:
        save(forecast_nrmse(ds.load()), outdir, "forecast_nrmse")
