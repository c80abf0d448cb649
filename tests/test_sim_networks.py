"""Many networks per job: a run over several seeds equals the one-seed runs, cell for cell."""

import numpy as np
import pytest
import xarray as xr

from eoc.errors import InputError
from eoc.simulate import driver, run
from eoc.simulate.options import Options
from eoc.simulate.parallel import SerialComm

COMPARED = (
    "lyapunov_max",
    "lyapunov_max_stderr",
    "lyapunov_spectrum",
    "C0",
    "autocorr",
    "tau_corr",
    "gate_mean",
    "gate_std",
    "jacobian_radius",
    "status",
    "status_step",
    "steps_measured",
)


@pytest.mark.parametrize(
    ("model", "options"),
    [
        ("lstm", dict(g=[1.5, 3.0], sigma_b=[0.0, 0.4], N=12, k=2, steps=100, transient=20)),
        ("rate", dict(g=[1.5, 3.0], sigma_b=[0.3], N=10, k=1, steps=100, transient=20)),
    ],
)
def test_several_seeds_equal_the_one_seed_runs(model, options):
    seeds = [4, 1, 7]
    together = run(model=model, seed=seeds, n_lags=5, **options)
    assert list(together["seed"].values) == seeds
    for seed in seeds:
        alone = run(model=model, seed=seed, n_lags=5, **options)
        for name in COMPARED:
            xr.testing.assert_equal(together[name].sel(seed=[seed]), alone[name])


@pytest.mark.parametrize("model", ["lstm", "rate"])
def test_dropped_points_leave_the_other_networks_unchanged(model):
    """The engine drops diverged points (``keep``); the stacked product follows, and every network
    keeps stepping exactly as it would alone with the same points dropped."""
    options = dict(model=model, g=[1.5, 3.0], sigma_b=[0.0, 0.4], N=10, k=2, n_lags=2)
    seeds = [4, 1, 7]
    stacked = driver.build_dynamics(Options(seed=seeds, **options), SerialComm())
    alone = [driver.build_dynamics(Options(seed=seed, **options), SerialComm()) for seed in seeds]
    drop = {0: [2], 1: [0, 3], 2: []}  # per network, the points (of 4) that "diverge" after 3 steps
    for step in range(6):
        if step == 3:
            stacked.keep(np.array([p not in drop[s] for s in range(3) for p in range(4)]))
            for s, network in enumerate(alone):
                network.keep(np.array([p not in drop[s] for p in range(4)]))
        stacked.step()
        for network in alone:
            network.step()
    np.testing.assert_array_equal(stacked.state, np.concatenate([n.state for n in alone], axis=1))
    np.testing.assert_array_equal(stacked.tangents, np.concatenate([n.tangents for n in alone], axis=1))


def test_seed_list_is_checked():
    with pytest.raises(InputError, match="seed has repeated values"):
        Options(model="rate", g=1, sigma_b=0, N=8, seed=[1, 1])
    with pytest.raises(InputError, match="seed must be an integer >= 0"):
        Options(model="rate", g=1, sigma_b=0, N=8, seed=[0, -1])
    assert Options(model="rate", g=1, sigma_b=0, N=8, seed=3).seed == [3]
