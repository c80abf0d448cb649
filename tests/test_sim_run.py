"""The driver: the per-job file contract, bad input, divergence, checkpoints and the command line."""

import math
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from eoc import InputError, contract
from eoc.cli.simulate import command as simulate_command
from eoc.simulate import Options, driver, run
from eoc.simulate.disorder import Disorder
from eoc.simulate.engine import Engine
from eoc.simulate.parallel import SerialComm
from eoc.status import RUN, SIMULATION

SMALL = dict(model="lstm", g=[1.5, 3.0], sigma_b=[0.0, 0.5], N=20, seed=1, steps=400, transient=100, k=2, n_lags=20)

CONTRACT = {
    "lyapunov_max": (),
    "lyapunov_max_stderr": (),
    "lyapunov_spectrum": ("exponent",),
    "kaplan_yorke_dimension": (),
    "C0": (),
    "autocorr": ("lag",),
    "tau_corr": (),
    "gate_mean": ("gate",),
    "gate_std": ("gate",),
    "jacobian_radius": (),
    "status": (),
    "status_step": (),
    "steps_measured": (),
    "wall_time": (),
}


@pytest.fixture(scope="module")
def small_run():
    return run(**SMALL, progress=False)


def test_dataset_follows_the_contract(small_run):
    ds = small_run
    base = ("model", "g", "sigma_b", "mu_f", "N", "seed")
    for name, extra in CONTRACT.items():
        assert ds[name].dims == base + extra, name
        assert "long_name" in ds[name].attrs, name
    assert ds["lyapunov_max"].attrs["units"] == "1" and ds["time_unit"].values.tolist() == ["step"]
    assert ds.sizes == {
        "model": 1,
        "g": 2,
        "sigma_b": 2,
        "mu_f": 1,
        "N": 1,
        "seed": 1,
        "exponent": 2,
        "lag": 20,
        "gate": 3,
    }
    assert ds["mu_f"].values.tolist() == [0.0] and ds["mu_f"].attrs["units"] == "1"
    assert ds["gate"].values.tolist() == ["f", "i", "o"]
    np.testing.assert_array_equal(ds["lag"], np.arange(20.0))
    assert ds.attrs["mpi_size"] == 1 and ds.attrs["mpi_library"] == "none"
    assert set(ds["status"].values.ravel()) <= set(RUN)


def test_observables_are_consistent(small_run):
    ds = small_run.squeeze(["model", "mu_f", "N", "seed"])
    np.testing.assert_allclose(ds["autocorr"].isel(lag=0), ds["C0"], rtol=0.05)  # C(0) = C0 (samples vs all steps)
    np.testing.assert_allclose(ds["lyapunov_spectrum"].isel(exponent=0), ds["lyapunov_max"])
    assert (ds["lyapunov_spectrum"].isel(exponent=0) >= ds["lyapunov_spectrum"].isel(exponent=1)).all()
    assert ((ds["gate_mean"] > 0) & (ds["gate_mean"] < 1)).all()
    # σ_b = 0, g = 1.5: the zero state is stable; gates sit exactly at 1/2 there
    assert ds["status"].sel(g=1.5, sigma_b=0.0) == "fixed_point"
    np.testing.assert_allclose(ds["gate_mean"].sel(g=1.5, sigma_b=0.0), 0.5, atol=1e-6)
    np.testing.assert_allclose(ds["gate_std"].sel(g=1.5, sigma_b=0.0), 0.0, atol=1e-6)


def test_writes_output_and_deletes_checkpoint(tmp_path):
    out, ckpt = tmp_path / "sim.nc", tmp_path / "sim.ckpt.npz"
    ds = run(**{**SMALL, "g": [3.0], "sigma_b": [0.0]}, out=out, checkpoint=ckpt, checkpoint_seconds=0)
    with contract.open_dataset(out) as back:
        xr.testing.assert_identical(back.drop_vars("wall_time").load(), ds.drop_vars("wall_time"))
    assert not ckpt.exists()


def _killed_run(args, ckpt, kill_at):
    """Run in a subprocess that SIGKILLs itself right after the ``kill_at``-th checkpoint is written."""
    script = textwrap.dedent(
        f"""
        import os, signal
        from eoc.simulate import checkpoint, run
        original, count = checkpoint.save, [0]
        def save(*a, **kw):
            original(*a, **kw)
            count[0] += 1
            if count[0] == {kill_at}:
                os.kill(os.getpid(), signal.SIGKILL)
        checkpoint.save = save
        run(**{args!r}, checkpoint={str(ckpt)!r}, checkpoint_seconds=0)
        """
    )
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)


@pytest.mark.parametrize("model", ["lstm", "rate"])
def test_resume_after_kill_equals_uninterrupted_run(tmp_path, model, caplog):
    args = {**SMALL, "model": model, "steps": 300, "transient": 50, "n_lags": 10}
    ckpt = tmp_path / "run.ckpt"
    killed = _killed_run(args, ckpt, kill_at=20)  # renormalisations every 10 steps: killed at step 200
    assert killed.returncode == -9, killed.stderr
    assert ckpt.exists()
    with caplog.at_level("INFO", logger="eoc"):
        resumed = run(**args, checkpoint=ckpt, checkpoint_seconds=3600)
    assert "at step 200" in caplog.text
    whole = run(**args)
    xr.testing.assert_identical(resumed.drop_vars("wall_time").drop_attrs(), whole.drop_vars("wall_time").drop_attrs())
    assert not ckpt.exists()


def test_checkpoint_of_another_run_is_refused(tmp_path):
    ckpt = tmp_path / "run.ckpt"
    args = {**SMALL, "g": [3.0], "sigma_b": [0.0]}
    assert _killed_run(args, ckpt, kill_at=1).returncode == -9
    with pytest.raises(InputError, match="belongs to another run"):
        run(**{**args, "seed": 2}, checkpoint=ckpt)


def test_diverging_point_is_frozen_and_recorded():
    """Linear φ: ḣ = (−1/2 + (g/4) Z/√N) h + b grows like e^{(g/4 − 1/2) t} for g = 40 and overflows;
    the point g = 1 of the same batch goes on to its fixed point."""
    config = Options(model="rate", g=[1.0, 40.0], sigma_b=[0.1], N=30, seed=0, steps=1000, transient=500, n_lags=5)
    dynamics = driver.build_dynamics(config, SerialComm(), transfer=(lambda x: x, np.ones_like))
    engine = Engine(
        dynamics,
        SerialComm(),
        n_units=30,
        steps=1000,
        transient=500,
        renorm_interval=10,
        n_lags=5,
        recorded_units=np.arange(30),
    )
    engine.integrate()
    results = engine.results()
    assert results["status"].tolist() == ["fixed_point", "diverged"]
    # |h| ~ e^{9.5 t} passes the float64 range (e^709) near t = 75, i.e. step 750
    assert 600 < results["status_step"][1] < 800
    assert np.isnan(results["lyapunov"][1]).all() and np.isnan(results["C0"][1])
    np.testing.assert_allclose(
        results["lyapunov"][0, 0], -0.5 + 0.25 * max(np.linalg.eigvals(dynamics.product.weights).real), atol=1e-3
    )


def test_huge_dt_diverges_and_is_recorded_with_its_step(tmp_path):
    """RK4 with dt = 8 amplifies the decay −h/2 by |R(−4)| = 5 per step: the run diverges, and is
    recorded (status, step, NaN results) instead of crashing; the lags are spaced by dt."""
    out = tmp_path / "diverged.nc"
    diverging = Options(model="rate", g=[1.0], sigma_b=[0.1], N=10, seed=[0], dt=8.0, steps=600, transient=0, n_lags=5)
    done = subprocess.run(
        simulate_command(diverging, out=out),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    with contract.open_dataset(out) as ds:
        assert ds["status"].item() == "diverged"
        assert 300 < ds["status_step"].item() < 500  # 5^t passes 1.8e308 near t = 441
        assert np.isnan(ds["lyapunov_max"].item()) and np.isnan(ds["C0"].item())
        np.testing.assert_array_equal(ds["lag"], 8.0 * np.arange(5))


def test_state_only_run_without_tangents():
    """k = 0 propagates the state alone: the same C0 as with tangents (stable point: rounding of the
    product does not grow), exponents NaN."""
    args = {**SMALL, "g": [1.5], "sigma_b": [0.5]}
    without, with_tangent = run(**{**args, "k": 0}), run(**{**args, "k": 1})
    assert np.isnan(without["lyapunov_max"]).all() and without.sizes["exponent"] == 1
    np.testing.assert_allclose(without["C0"], with_tangent["C0"], rtol=1e-9)


def test_float32_agrees_with_float64_on_the_stable_side():
    """At a stable fixed point the exponent is a property of the fixed point: float32 agrees to ~1e-4."""
    args = dict(model="rate", g=[1.5], sigma_b=[0.5], N=30, seed=2, steps=1000, transient=500, n_lags=5)
    single, double = run(**args, dtype="float32"), run(**args)
    np.testing.assert_allclose(single["lyapunov_max"], double["lyapunov_max"], atol=1e-4)
    assert (double["status"] == "fixed_point").all() and (single["status"] == "fixed_point").all()


class _ManyRanks(SerialComm):
    size = 5


@pytest.mark.parametrize(
    "change, fragment",
    [
        ({"model": "gru"}, "model must be one of 'lstm', 'rate'; got 'gru'"),
        ({"g": [1.0, 0.0]}, "g must be > 0, got 0.0"),
        ({"g": [-1.0]}, "g must be > 0, got -1.0"),
        ({"sigma_b": [-0.1]}, "sigma_b must be >= 0, got -0.1"),
        ({"sigma_b": [math.nan]}, "sigma_b must be finite, got nan"),
        ({"g": [math.inf]}, "g must be finite, got inf"),
        ({"N": 1}, "N must be an integer >= 2, got 1"),
        ({"k": -1}, "k must be an integer >= 0, got -1"),
        ({"k": 41}, "k must be at most the state dimension 40, got k=41"),
        ({"dtype": "float16"}, "dtype must be one of 'float64', 'float32'; got 'float16'"),
        ({"n_lags": 300}, "n_lags=300 needs"),
        ({"model": "rate", "dt": 0.3}, "dt must be 1/n or n for an integer n"),
        ({"gate_gains": {"x": 1.0}}, "gate of the gate gains must be one of"),
        ({"model": "rate", "bias_means": {"f": 1.0}}, "apply only to models with gates"),
        ({"comm": _ManyRanks()}, r"more MPI ranks \(5\) than units N=4"),
        ({"out": "/proc/version/x.nc"}, "cannot be created"),
    ],
)
def test_bad_input_is_refused_before_any_weight_is_drawn(monkeypatch, change, fragment):
    def forbidden(*args, **kwargs):
        raise AssertionError("weights drawn before the input was checked")

    monkeypatch.setattr(Disorder, "draw", forbidden)
    args = {**SMALL, **({"N": 4} if "comm" in change else {}), **change}
    with pytest.raises(InputError, match=fragment):
        run(**args)


def test_command_line_serial_run(tmp_path):
    out = tmp_path / "cli.nc"
    # the command line as a user types it (the options' names are part of the interface)
    words = "simulate --model rate --g 1.5 4 --sigma-b 0.2 --N 16 --seed 3 --steps 300 --transient 50 --n-lags 10 --k 2"
    command = [sys.executable, "-m", "eoc", *words.split(), "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # off a terminal: progress as log lines (the last one at the end of the run)
    assert re.search(r"step 350/350 \(100%\), [0-9.e+]+ steps/s, ETA 0:00:00, lambda_max .* \(per t\)", done.stderr)
    with contract.open_dataset(out) as ds:
        assert ds.sizes["g"] == 2 and ds.sizes["exponent"] == 2
        assert ds["lyapunov_max"].attrs["units"] == "1" and ds["time_unit"].item() == "t"
        assert '"steps": 300' in ds.attrs["config"]
    with xr.open_dataset(out) as raw:  # on disk: CF integer flags
        assert raw["status"].dtype.kind == "i" and raw["status"].attrs["flag_meanings"].split() == list(SIMULATION)
    check = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "cf" / "cfcheck.py"), str(out)], capture_output=True, text=True
    )
    assert "ERRORS detected: 0" in check.stdout, check.stdout[-3000:]
    bad = subprocess.run(command[:7] + ["0"] + command[8:], capture_output=True, text=True)
    assert bad.returncode == 2 and "g must be > 0, got 0.0" in bad.stderr


def test_runs_without_mpi4py():
    """The package imports and runs serially when mpi4py cannot be imported (and MPI is not started)."""
    script = (
        "import sys; sys.modules['mpi4py'] = None\n"
        "from eoc.simulate import run\n"
        "ds = run(model='rate', g=2.5, sigma_b=0.1, N=8, seed=0, steps=100, transient=0, n_lags=3)\n"
        "print(ds.attrs['mpi_size'], ds.attrs['mpi_library'], 'mpi4py.MPI' in sys.modules)"
    )
    env = {name: value for name, value in os.environ.items() if not name.startswith(("PMI", "OMPI", "PMIX"))}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env={**env, "PMI_SIZE": "1"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "none", "False"]
