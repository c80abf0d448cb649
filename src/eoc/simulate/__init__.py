"""The simulation engine: the LSTM and its rate model at large N, MPI-parallel, batched over (g, σ_b).

``run(Options(model=..., g=..., sigma_b=..., N=..., seed=...), out=...)`` (or ``run(model=..., ...)``)
returns the per-job dataset of docs/interfaces.md. Modules: options (the validated options of a
job), models (the table of models), lstm and rate (the models, their facts and exact JVPs),
parallel (MPI layer), disorder (weights from the seed), recurrent (the product), lyapunov (QR across
ranks), observables, engine (the time loop), checkpoint, driver (``run``).
"""

from eoc.simulate.driver import run
from eoc.simulate.models import MODELS
from eoc.simulate.options import Options

__all__ = ["MODELS", "Options", "run"]
