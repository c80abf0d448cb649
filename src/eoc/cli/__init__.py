"""The ``eoc`` command line: one subcommand per job of the pipeline.

Each subcommand lives in its own module of this package and provides ``register(subparsers)``,
which adds its parser and sets ``func`` to a callable taking the parsed arguments.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from eoc import __version__, threads, validation
from eoc.errors import InputError
from eoc.logs import configure

SUBCOMMANDS = ("dmft", "simulate", "merge", "figures", "forecast")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eoc",
        description="Edge of chaos in LSTMs: DMFT solves, large-N simulations, merging and figures.",
    )
    parser.add_argument("--version", action="version", version=f"eoc {__version__}")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f"eoc.cli.{name}").register(subparsers)
    for subparser in subparsers.choices.values():
        subparser.add_argument(
            "--threads",
            metavar="N",
            help="threads of numba's and BLAS's pools in this process (default: the cores this "
            "process was given, shared with the MPI ranks on its node; see eoc.threads)",
        )
    return parser


def _requested_threads(argv: list[str] | None) -> str | None:
    """``--threads`` from the command line, read before the parser (and numpy) is loaded."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--threads")
    return early.parse_known_args(argv)[0].threads


def main(argv: list[str] | None = None) -> int:
    """Set the thread pools (before numpy loads its BLAS), parse, run the subcommand."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        requested = _requested_threads(argv)
        threads.apply(None if requested is None else validation.integer("--threads", requested, minimum=1))
    except InputError as error:
        print(f"eoc: error: {error}", file=sys.stderr)
        return 2
    args = build_parser().parse_args(argv)
    configure(args.log_level)
    try:
        args.func(args)
    except InputError as error:
        print(f"eoc {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
