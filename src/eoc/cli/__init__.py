"""The ``eoc`` command line: one subcommand per job of the pipeline.

Each subcommand lives in its own module of this package and provides ``register(subparsers)``,
which adds its parser and sets ``func`` to a callable taking the parsed arguments.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from eoc import __version__
from eoc.errors import InputError
from eoc.logs import configure

SUBCOMMANDS = ("dmft", "simulate", "merge", "figures")


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
    return parser


def main(argv: list[str] | None = None) -> int:
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
