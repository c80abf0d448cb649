"""`eoc merge simulations|dmft|dmft_lstm`: combine per-job files into one file of the data contract.

    eoc merge simulations --out results/merged/simulations.nc results/sim/*/*.nc \
        --expect model=lstm,rate --expect g=1.5,2,2.5 --expect sigma_b=0,0.3 \
        --expect mu_f=0,1 --expect N=64,128 --expect seed=0,1 [--require-complete]

Files that do not exist count as missing jobs. ``--files-from LIST`` reads more paths from a text
file (one per line; ``-`` for stdin), for sweeps whose file list is too long for a command line.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from eoc import io
from eoc.errors import InputError
from eoc.logs import get_logger
from eoc.merge import merge_dmft, merge_dmft_lstm, merge_simulations
from eoc.merge.combine import DMFT_DIMS, SIMULATION_DIMS

MERGERS = {
    "simulations": (merge_simulations, SIMULATION_DIMS),
    "dmft": (merge_dmft, DMFT_DIMS),
    "dmft_lstm": (merge_dmft_lstm, DMFT_DIMS),
}
_TEXT_DIMS = {"model"}
_INTEGER_DIMS = {"N", "seed"}
_SIGNED_DIMS = {"mu_f"}  # a bias mean may be negative

log = get_logger(__name__)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "merge",
        help="combine per-job netCDF files into results/merged/{simulations,dmft,dmft_lstm}.nc",
        description=__doc__.split("\n\n")[0],
    )
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
    for kind in MERGERS:
        sub = kinds.add_parser(kind, help=f"build the merged {kind} file")
        sub.add_argument("files", nargs="*", type=Path, help="per-job netCDF files")
        sub.add_argument("--out", required=True, type=Path, help="merged netCDF file to write")
        sub.add_argument("--files-from", metavar="LIST", help="text file of more paths, one per line ('-': stdin)")
        sub.add_argument(
            "--expect",
            action="append",
            default=[],
            metavar="DIM=V1,V2,...",
            help="values of one dimension of the expected grid (repeat per dimension); "
            "cells of the product grid without a result are reported 'missing'",
        )
        sub.add_argument("--require-complete", action="store_true", help="a missing cell is an error")
        sub.set_defaults(func=run)


def parse_expect(items: list[str], dims: tuple[str, ...]) -> dict[str, list] | None:
    """``["g=1.5,2", "model=lstm"]`` -> ``{"g": [1.5, 2.0], "model": ["lstm"]}``."""
    if not items:
        return None
    expect = {}
    for item in items:
        name, sep, values = item.partition("=")
        if not sep or name not in dims or not values:
            raise InputError(f"--expect must be DIM=V1,V2,... with DIM one of {list(dims)}; got {item!r}")
        convert = str if name in _TEXT_DIMS else int if name in _INTEGER_DIMS else float
        try:
            expect[name] = [convert(v) for v in values.split(",")]
        except ValueError:
            raise InputError(f"--expect {name} holds a value that is not a number: {values!r}") from None
        numbers = [] if convert is str else expect[name]
        signed = name in _SIGNED_DIMS
        if any(not math.isfinite(v) or (v < 0 and not signed) for v in numbers) or (
            name in ("g", "N") and any(v <= 0 for v in numbers)
        ):
            bound = "" if signed else " > 0" if name in ("g", "N") else " >= 0"
            raise InputError(f"--expect {name} must hold finite numbers{bound}, got {values!r}")
    return expect


def run(args) -> None:
    merge, dims = MERGERS[args.kind]
    expect = parse_expect(args.expect, dims)
    paths = list(args.files)
    if args.files_from:
        stream = sys.stdin if args.files_from == "-" else _open_list(args.files_from)
        with stream:
            paths += [Path(line.strip()) for line in stream if line.strip()]
    if not paths and expect is None:
        raise InputError("no per-job files given (FILES or --files-from) and no --expect grid")
    io.check_writable(args.out, name="--out")
    config = {"kind": args.kind, "expect": expect, "files": len(paths), "require_complete": args.require_complete}
    merged = merge(paths, expect=expect, require_complete=args.require_complete, config=config)
    io.write_dataset(merged, args.out)
    log.info("merged %d files into %s (%s)", merged.attrs["merged_from_files"], args.out, dict(merged.sizes))


def _open_list(path: str):
    try:
        return open(path, encoding="utf-8")
    except OSError as error:
        raise InputError(f"--files-from {path!r} cannot be read: {error.strerror}") from None
