"""Many networks per job: a run over several seeds equals the one-seed runs, cell for cell."""

import numpy as np
import pytest
import xarray as xr

from eoc.errors import InputError
from eoc.simulate import run
from eoc.simulate.options import Options

COMPARED = ("lyapunov_max", "lyapunov_max_stderr", "lyapunov_spectrum", "C0", "autocorr", "tau_corr",
            "gate_mean", "gate_std", "jacobian_radius", "status", "status_step")


@pytest.mark.parametrize(
    ("model", "options"),
    [
        ("lstm", dict(g=[1.5, 3.0], sigma_b=[0.0, 0.4], N=24, k=2, steps=200, transient=40)),
        ("rate", dict(g=[1.5, 3.0], sigma_b=[0.3], N=20, k=1, steps=400, transient=100)),
        # a point that diverges (rate model, dt far beyond RK4's stability) is dropped mid-run
        ("rate", dict(g=[1.0, 40.0], sigma_b=[0.1], N=16, k=1, steps=300, transient=20, dt=1.0)),
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


def test_seed_list_is_checked():
    with pytest.raises(InputError, match="seed has repeated values"):
        Options(model="rate", g=1, sigma_b=0, N=8, seed=[1, 1])
    with pytest.raises(InputError, match="seed must be an integer >= 0"):
        Options(model="rate", g=1, sigma_b=0, N=8, seed=[0, -1])
    assert Options(model="rate", g=1, sigma_b=0, N=8, seed=3).seed == [3]
