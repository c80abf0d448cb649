"""Run under ``mpiexec -n P``: the network, the first steps and a short run compared with 1 rank.

Prints one JSON line on rank 0: the communicator size seen inside, whether every rank's weights
equal the rows of a serial draw bit for bit, the largest difference of the state after a few steps
from a serial run, and the exponents of a short full run (compared across rank counts by pytest).
"""

import json
import sys

import numpy as np
from mpi4py import MPI

from eoc.simulate import Options, driver
from eoc.simulate.disorder import Disorder
from eoc.simulate.parallel import Partition, SerialComm, world

comm = world()
config = Options(model="lstm", g=[1.5, 3.0], sigma_b=[0.3], N=13, seed=7, steps=200, transient=20, k=3, n_lags=10)
config.check_ranks(comm.size)

# 1. Weights: each rank holds only its rows, bit-identical to the rows of a one-rank draw.
dynamics = driver.build_dynamics(config, comm)
units = Partition(config.N, comm.size).rows(comm.rank)
local = dynamics.product.weights
whole = Disorder.draw(n=config.N, seed=config.seed, gates=4, units=slice(0, config.N)).weights.reshape(
    4, config.N, config.N
)
own_rows_only = local.shape == (4 * (units.stop - units.start), config.N)
identical = own_rows_only and np.array_equal(local.reshape(4, -1, config.N), whole[:, units])
identical = bool(MPI.COMM_WORLD.allreduce(int(identical), op=MPI.MIN))

# 2. The first steps of the trajectory (state and tangents) against a one-rank run.
serial = driver.build_dynamics(config, SerialComm())
for _ in range(5):
    dynamics.step()
    serial.step()
rows = dynamics.global_rows
state_error = np.abs(dynamics.state - serial.state[rows]).max()
tangent_error = np.abs(dynamics.tangents - serial.tangents[rows]).max()
error = MPI.COMM_WORLD.allreduce(max(state_error, tangent_error), op=MPI.MAX)

# 3. A full short run.
ds = driver.run(model="lstm", g=[1.5, 3.0], sigma_b=[0.3], N=13, seed=7, steps=200, transient=20, k=3, n_lags=10)
if comm.rank == 0:
    print(
        json.dumps(
            {
                "size": MPI.COMM_WORLD.Get_size(),
                "identical_weights": identical,
                "trajectory_error": float(error),
                "spectrum": ds["lyapunov_spectrum"].values.ravel().tolist(),
                "C0": ds["C0"].values.ravel().tolist(),
                "gate_mean": ds["gate_mean"].values.ravel().tolist(),
                "autocorr": ds["autocorr"].values.ravel().tolist(),
                "jacobian_radius": ds["jacobian_radius"].values.ravel().tolist(),
                "mpi_size_attr": int(ds.attrs["mpi_size"]),
            }
        )
    )
sys.stdout.flush()
