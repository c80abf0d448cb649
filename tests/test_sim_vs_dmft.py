"""Cross-check: the simulated rate model at large N against its mean-field theory.

The DMFT (eoc.meanfield.rate) and the simulation (eoc.simulate) are independent codes; they must agree on the
variance C0 and the shape of the autocorrelation C(τ) in the chaotic phase, with and without bias,
up to finite-N and finite-T errors (a few per cent at N ~ 10³ and T ~ 10³ time units).
"""

import numpy as np
import pytest

from eoc.meanfield import rate as dmft
from eoc.simulate import run

pytestmark = pytest.mark.slow

GAIN, BIASES, N, SEED = 4.0, [0.0, 0.3], 1200, 7


@pytest.fixture(scope="module")
def simulation():
    return run(model="rate", g=[GAIN], sigma_b=BIASES, N=N, seed=SEED, steps=10000, transient=2000, n_lags=16, k=1)


@pytest.mark.parametrize("sigma_b", BIASES)
def test_variance_and_autocorrelation_follow_the_dmft(simulation, sigma_b):
    cell = simulation.sel(g=GAIN, sigma_b=sigma_b).squeeze()
    theory = dmft.solve(GAIN, sigma_b)
    assert theory.regime == "chaotic" and str(cell.status.values) == "chaotic"
    assert cell.C0.item() == pytest.approx(theory.C0, rel=0.05)
    # the chaotic C0 of the DMFT, not the draft's static one, is what the network shows
    assert abs(cell.C0.item() - theory.C0) < abs(cell.C0.item() - theory.C0_static)
    lags = cell.lag.values
    expected = np.interp(lags, theory.tau, theory.autocorr)
    np.testing.assert_allclose(cell.autocorr.values, expected, atol=0.1 * theory.C0)
    # the decay is real: C falls by at least a third over the lags compared
    assert expected[-1] < theory.C0 - (theory.C0 - theory.C_inf) / 3
