"""`eoc simulate`: one network realisation, a batch of (g, σ_b) points, serial or under mpiexec.

    eoc simulate --model lstm --g 1.5 3 --sigma-b 0 0.5 --N 1000 --seed 0 --out sim.nc
    mpiexec -n 4 python -m mpi4py -m eoc simulate --model rate --g 4 --sigma-b 0 --N 4000 --seed 0 \
        --checkpoint sim.ckpt --out sim.nc
"""

from __future__ import annotations

import argparse


def _gate_value(text: str) -> tuple[str, float]:
    gate, _, value = text.partition("=")
    try:
        return gate, float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected GATE=VALUE with GATE in f, i, o, c; got {text!r}") from None


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="simulate one network realisation (a batch of g, sigma_b points); MPI-aware",
        description="Lyapunov exponents, C0, autocorrelation, gate statistics and status of one network "
        "(model, N, seed) for the outer product of the g and sigma_b lists (shared disorder). "
        "Run serially or as `mpiexec -n P python -m mpi4py -m eoc simulate ...`.",
    )
    parser.add_argument("--model", required=True, help="lstm or rate")
    parser.add_argument("--g", type=float, nargs="+", required=True, help="gain(s) g")
    parser.add_argument("--sigma-b", type=float, nargs="+", required=True, help="bias spread(s) sigma_b")
    parser.add_argument("--N", type=int, required=True, help="number of units")
    parser.add_argument("--seed", type=int, required=True, help="network realisation")
    parser.add_argument("--out", required=True, help="output netCDF file (written atomically by rank 0)")
    run_length = parser.add_argument_group("run length and method")
    run_length.add_argument("--steps", type=int, help="measured steps (default 5000; rate model: steps of dt)")
    run_length.add_argument("--transient", type=int, help="discarded steps before measuring (default 1000)")
    run_length.add_argument("--k", type=int, default=1, help="number of leading Lyapunov exponents (default 1; 0: the state only)")
    run_length.add_argument("--dtype", default="float64", help="float64 (default) or float32")
    run_length.add_argument("--dt", type=float, default=0.1, help="RK4 step of the rate model (default 0.1; 1/n or n for an integer n)")
    run_length.add_argument("--n-lags", type=int, default=100, help="lags of the autocorrelation, spacing 1 (dt if dt > 1) (default 100)")
    run_length.add_argument("--renorm-interval", type=int, help="steps between QR re-orthonormalisations (default 10)")
    run_length.add_argument("--jacobian-max-N", type=int, default=1000, help="largest N for the zero-state Jacobian (default 1000)")
    lstm = parser.add_argument_group("LSTM gates")
    lstm.add_argument("--gate-gain", type=_gate_value, action="append", default=[], metavar="GATE=VALUE",
                      help="fix the gain of one gate (f, i, o, c) instead of g; repeatable")
    lstm.add_argument("--bias-mean", type=_gate_value, action="append", default=[], metavar="GATE=VALUE",
                      help="bias mean mu of one gate (default 0); repeatable")
    resume = parser.add_argument_group("checkpoints")
    resume.add_argument("--checkpoint", help="checkpoint file: written periodically, resumed from when present")
    resume.add_argument("--checkpoint-seconds", type=float, default=300.0, help="seconds of work between checkpoints (default 300)")
    parser.set_defaults(func=_simulate)


def _simulate(args: argparse.Namespace) -> None:
    from eoc.simulate import run

    run(
        model=args.model,
        g=args.g,
        sigma_b=args.sigma_b,
        N=args.N,
        seed=args.seed,
        steps=args.steps,
        transient=args.transient,
        k=args.k,
        dtype=args.dtype,
        dt=args.dt,
        n_lags=args.n_lags,
        renorm_interval=args.renorm_interval,
        gate_gains=dict(args.gate_gain),
        bias_means=dict(args.bias_mean),
        jacobian_max_N=args.jacobian_max_N,
        checkpoint=args.checkpoint,
        checkpoint_seconds=args.checkpoint_seconds,
        out=args.out,
    )
