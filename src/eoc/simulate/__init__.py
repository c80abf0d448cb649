"""The simulation engine: the LSTM and its rate model at large N, MPI-parallel, batched over (g, σ_b).

``run(*, model, g, sigma_b, N, seed, ...)`` returns the per-job dataset of docs/interfaces.md.
Modules: parallel (MPI layer), disorder (weights from the seed), recurrent (the product), lstm and
rate (the models and their exact JVPs), lyapunov (QR across ranks), observables, engine (the time
loop), checkpoint, driver (``run``).
"""

from eoc.simulate.driver import run

__all__ = ["run"]
