"""`eoc simulate`: one network realisation, a batch of (g, σ_b) points, serial or under mpiexec.

    eoc simulate --model lstm --g 1.5 3 --sigma-b 0 0.5 --N 1000 --seed 0 --out sim.nc
    mpiexec -n 4 python -m mpi4py -m eoc simulate --model rate --g 4 --sigma-b 0 --N 4000 --seed 0 \
        --checkpoint sim.ckpt --out sim.nc

The options (names, types, defaults, help) are generated from :class:`eoc.simulate.options.Options`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eoc.cli.arguments import add_arguments, command_arguments, options_from
from eoc.simulate.driver import CHECKPOINT_SECONDS
from eoc.simulate.options import Options


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="simulate one network realisation (a batch of g, sigma_b points); MPI-aware",
        description="Lyapunov exponents, C0, autocorrelation, gate statistics and status of one network "
        "(model, N, seed) for the outer product of the g and sigma_b lists (shared disorder). "
        "Run serially or as `mpiexec -n P python -m mpi4py -m eoc simulate ...`.",
    )
    add_arguments(parser, Options)
    parser.add_argument("--out", required=True, help="output netCDF file (written atomically by rank 0)")
    resume = parser.add_argument_group("checkpoints")
    resume.add_argument("--checkpoint", help="checkpoint file: written periodically, resumed from when present")
    resume.add_argument(
        "--checkpoint-seconds",
        type=float,
        default=CHECKPOINT_SECONDS,
        help=f"seconds of work between checkpoints (default {CHECKPOINT_SECONDS:g})",
    )
    resume.add_argument(
        "--damaged-checkpoint",
        default="stop",
        help="stop (default): an unreadable checkpoint is an error; restart: rename it "
        "NAME.damaged-TIME, log it and start afresh (what a sweep's retry needs)",
    )
    parser.set_defaults(func=_simulate)


def _simulate(args: argparse.Namespace) -> None:
    from eoc.simulate import run

    run(
        options_from(args, Options),
        checkpoint=args.checkpoint,
        checkpoint_seconds=args.checkpoint_seconds,
        damaged_checkpoint=args.damaged_checkpoint,
        out=args.out,
    )


def command(options: Options, *, out, ranks: int = 1, mpiexec="mpiexec", **settings) -> list[str]:
    """The command that runs ``options`` with this Python, writing ``out``: ``python -m eoc
    simulate …``, or under ``mpiexec -n ranks python -m mpi4py`` when ``ranks`` > 1. ``settings``
    are the non-physics options of the command line by name (``checkpoint="run.ckpt"``,
    ``checkpoint_seconds=0``, ``damaged_checkpoint="restart"``)."""
    launcher = [str(mpiexec), "-n", str(ranks), sys.executable, "-m", "mpi4py"] if ranks > 1 else [sys.executable]
    extra = [item for name, value in settings.items() for item in ("--" + name.replace("_", "-"), str(value))]
    return [*launcher, "-m", "eoc", "simulate", *command_arguments(options), *extra, "--out", str(Path(out))]
