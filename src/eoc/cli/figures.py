"""`eoc figures`: draw every figure (PNG and PDF) from the two merged netCDF files."""

from __future__ import annotations

import logging
from pathlib import Path

from eoc import io
from eoc.errors import InputError

log = logging.getLogger(__name__)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "figures",
        help="draw the figures from results/merged/{simulations,dmft,dmft_lstm}.nc",
        description="Draw every figure of eoc.figures (PNG and PDF) from the merged files.",
    )
    parser.add_argument("--simulations", required=True, type=Path, help="merged simulations file (simulations.nc)")
    parser.add_argument("--dmft", required=True, type=Path, help="merged DMFT file (dmft.nc)")
    parser.add_argument(
        "--dmft-lstm",
        type=Path,
        help="merged LSTM mean-field file (dmft_lstm.nc); without it the LSTM theory curves are left out",
    )
    parser.add_argument("--outdir", required=True, type=Path, help="folder for the figure files")
    parser.set_defaults(func=run)


def run(args) -> None:
    inputs = [("--simulations", args.simulations), ("--dmft", args.dmft)]
    if args.dmft_lstm is not None:
        inputs.append(("--dmft-lstm", args.dmft_lstm))
    for label, path in inputs:
        if not path.is_file():
            raise InputError(f"{label} file {str(path)!r} does not exist")
    io.check_folder(args.outdir, name="--outdir")
    import matplotlib

    matplotlib.use("Agg")
    from eoc.contract import open_dataset, open_dmft, open_simulations
    from eoc.figures import draw_all

    opened = []
    for label, path, opener in (
        ("--simulations", args.simulations, open_simulations),
        ("--dmft", args.dmft, open_dmft),
        ("--dmft-lstm", args.dmft_lstm, open_dataset),
    ):
        try:
            opened.append(None if path is None else opener(path))
        except (OSError, ValueError) as error:  # not netCDF, truncated, empty
            raise InputError(f"{label} file {str(path)!r} cannot be read: {error}") from None
    paths = draw_all(*opened[:2], args.outdir, dmft_lstm=opened[2])
    log.info("wrote %d figure files to %s", len(paths), args.outdir)
