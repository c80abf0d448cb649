"""Every figure on small merged datasets built to the data contract (docs/interfaces.md), complete
and with gaps; the helpers the figures rely on; the command line and the Snakemake rule's list."""

import io
import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import xarray as xr

from eoc.cli import main
from eoc.errors import InputError
from eoc.figures import FIGURES, data, draw_all
from eoc.figures.jacobian import cell_weights, zero_state_eigenvalues
from eoc.figures.style import FONT_SIZE

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
NODES, WEIGHTS = np.polynomial.hermite_e.hermegauss(61)
WEIGHTS = WEIGHTS / WEIGHTS.sum()


def gaussian_mean(function, variance):
    """E[function(√variance z)], z standard normal, over an array of variances (Gauss–Hermite)."""
    variance = np.asarray(variance, dtype=float)[..., None]
    return (function(np.sqrt(variance) * NODES) * WEIGHTS).sum(-1)


def merged_dmft(*, gains=(0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0), biases=(0.0, 0.3, 0.6)) -> xr.Dataset:
    """A dmft.nc look-alike with the contract's dimensions and variables. The static map and
    C0_static are exact; the other fields have the right shape and sign structure only."""
    g = np.asarray(gains, dtype=float)[:, None]
    sb = np.asarray(biases, dtype=float)[None, :]
    trial = np.linspace(0.0, 3.0, 31)
    tau = np.linspace(0.0, 20.0, 41)
    f_g = (g[..., None] ** 2 / 4) * gaussian_mean(lambda x: np.tanh(x) ** 2, trial) + 4 * sb[..., None] ** 2
    c0_static = np.full(np.broadcast_shapes(g.shape, sb.shape), 3.0)
    for _ in range(400):
        c0_static = g**2 / 4 * gaussian_mean(lambda x: np.tanh(x) ** 2, c0_static) + 4 * sb**2
    g_c = 2.0 + 2.0 * sb[0]
    chaotic = g > g_c
    c0 = np.where(chaotic, 0.8 * c0_static, c0_static)
    c_inf = np.where(chaotic, 0.5 * c0 * (sb > 0), c0)
    lambda2 = 0.25 - g**2 / 16 / (1 + c0_static)
    lyapunov = 0.5 * (g / g_c - 1)
    autocorr = c_inf[..., None] + (c0 - c_inf)[..., None] / np.cosh(tau / 3.0) ** 2
    dims = ("g", "sigma_b")
    return xr.Dataset(
        {
            "f_g": (("g", "sigma_b", "C0_trial"), f_g),
            "C0": (dims, c0),
            "C0_static": (dims, c0_static),
            "C_inf": (dims, c_inf),
            "lambda2": (dims, lambda2),
            "lambda2_factorized": (dims, lambda2 - 0.02 * sb),
            "tau_inf": (dims, np.where(lambda2 > 0, 1 / np.sqrt(np.abs(lambda2)), np.nan)),
            "lyapunov_max": (dims, lyapunov),
            "lyapunov_bound": (dims, -0.5 + np.sqrt(0.25 - lambda2)),
            "regime": (dims, np.where(chaotic, "chaotic", "fixed_point")),
            "status": (dims, np.full(lambda2.shape, "ok")),
            "autocorr": (("g", "sigma_b", "tau"), autocorr),
            "g_c": (("sigma_b",), g_c),
        },
        coords={"g": g[:, 0], "sigma_b": sb[0], "tau": tau, "C0_trial": trial},
    )


def merged_simulations(
    *, gains=(1.0, 1.5, 2.0, 2.5, 3.0), biases=(0.0, 0.5), sizes=(32, 64, 128), seeds=3
) -> xr.Dataset:
    """A simulations.nc look-alike: dims model, g, sigma_b, N, seed (+ lag, gate, exponent),
    finite-size values a + b/N with seed noise, status "chaotic" everywhere."""
    rng = np.random.default_rng(0)
    g = np.asarray(gains, dtype=float)[None, :, None, None, None]
    sb = np.asarray(biases, dtype=float)[None, None, :, None, None]
    n = np.asarray(sizes, dtype=float)[None, None, None, :, None]
    shape = (2, g.size, sb.size, n.size, seeds)
    noise = 0.01 * rng.standard_normal(shape)
    per_step = np.array([0.5, 0.25])[:, None, None, None, None]  # LSTM step vs rate-model t
    g_c = 2.0 + 2.0 * sb
    lyapunov = per_step * (g / g_c - 1) - 1.0 / n + noise
    c0 = np.maximum(g - g_c, 0.0) + sb**2 + 0.5 / n + noise
    lag = np.arange(0.0, 15.0)
    tau_corr = 2.0 + 1.0 / (0.2 + np.abs(g - g_c)) + 5.0 / n + noise
    autocorr = c0[..., None] * np.exp(-lag / tau_corr[..., None])
    gate_spread = 0.02 + 0.05 * np.maximum(g - g_c, 0) + 1.0 / np.sqrt(n) + 0 * sb
    gate_mean = 0.5 + 0.01 * g * sb + 0 * n + noise
    gates = np.stack([gate_mean, gate_mean, gate_mean], axis=-1)
    spreads = np.stack([gate_spread + 0 * noise] * 3, axis=-1)
    gates[1], spreads[1] = np.nan, np.nan  # the rate model has no gates
    radius = 0.5 + g / 4 - 0.5 / np.sqrt(n) + noise
    radius[1] = np.nan
    dims = ("model", "g", "sigma_b", "N", "seed")
    return xr.Dataset(
        {
            "lyapunov_max": (dims, lyapunov),
            "lyapunov_max_stderr": (dims, np.full(shape, 0.005)),
            "lyapunov_spectrum": (dims + ("exponent",), np.stack([lyapunov, lyapunov - 0.1], -1)),
            "kaplan_yorke_dimension": (dims, np.full(shape, np.nan)),
            "C0": (dims, c0),
            "autocorr": (dims + ("lag",), autocorr),
            "tau_corr": (dims, tau_corr),
            "gate_mean": (dims + ("gate",), gates),
            "gate_std": (dims + ("gate",), spreads),
            "jacobian_radius": (dims, radius),
            "status": (dims, np.full(shape, "chaotic", dtype=object)),
            "status_step": (dims, np.full(shape, -1)),
            "wall_time": (dims, np.ones(shape)),
        },
        coords={
            "model": ["lstm", "rate"],
            "g": g.ravel(),
            "sigma_b": sb.ravel(),
            "N": n.ravel().astype(int),
            "seed": np.arange(seeds),
            "lag": lag,
            "gate": ["f", "i", "o"],
            "exponent": [0, 1],
        },
    )


def knock_out(ds: xr.Dataset, **where) -> xr.Dataset:
    """Mark the cells at ``where`` as the merge does for a missing job: NaN values, "missing"."""
    ds = ds.copy(deep=True)
    for name, da in ds.data_vars.items():
        selection = {k: v for k, v in where.items() if k in da.dims}
        if name == "status":
            da.loc[selection] = "missing"
        elif da.dtype.kind == "f":
            da.loc[selection] = np.nan
    return ds


def figure_text(figure) -> str:
    """All text on ``figure``, whitespace (line wrapping) collapsed."""
    return " ".join(" ".join(t.get_text() for t in figure.findobj(matplotlib.text.Text)).split())


def render(figure) -> None:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=40)
    assert buffer.tell() > 0


@pytest.fixture(scope="module")
def sims():
    return merged_simulations()


@pytest.fixture(scope="module")
def dmft():
    return merged_dmft()


def test_draw_all_writes_every_png_and_pdf(tmp_path, sims, dmft):
    paths = draw_all(sims, dmft, tmp_path)
    assert sorted(p.name for p in paths) == sorted(f"{name}.{ext}" for name in FIGURES for ext in ("png", "pdf"))
    for path in paths:
        assert path.stat().st_size > 1000
        head = path.read_bytes()[:8]
        assert head.startswith(b"\x89PNG" if path.suffix == ".png" else b"%PDF")
    assert not list(tmp_path.glob(".*.part"))


@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_is_one_column_with_readable_text(name, sims, dmft):
    figure = FIGURES[name](sims, dmft)
    assert figure.get_figwidth() == pytest.approx(3.4)
    figure.canvas.draw()
    sizes = [t.get_fontsize() for t in figure.findobj(matplotlib.text.Text) if t.get_text()]
    assert min(sizes) >= FONT_SIZE
    labelled = [ax for ax in figure.axes if ax.get_xlabel() or ax.get_ylabel()]
    assert labelled, "no axis labels"


GAPPY = {
    "rate model and all seeds of one size missing": [dict(model="rate"), dict(N=64)],
    "lstm model and single cells missing": [
        dict(model="lstm"),
        dict(model="rate", g=2.5, sigma_b=0.0, N=128, seed=1),
        dict(model="rate", g=1.0, N=32),
    ],
}


@pytest.mark.parametrize("case", list(GAPPY))
@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_tolerates_missing_cells(name, case, sims, dmft):
    gappy = sims
    for where in GAPPY[case]:
        gappy = knock_out(gappy, **where)
    render(FIGURES[name](gappy, dmft))


def test_missing_cells_are_listed_on_the_figure(sims, dmft):
    figure = FIGURES["finite_size_scaling"](knock_out(sims, N=64), dmft)
    assert "lstm gaps: N=64: all cells (missing)" in figure_text(figure)
    figure = FIGURES["finite_size_scaling"](knock_out(sims, model="rate"), dmft)
    assert "no lyapunov_max for the rate model" in figure_text(figure)


@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_without_a_model_or_without_files(name, sims, dmft):
    render(FIGURES[name](sims.sel(model=["lstm"]), dmft))
    render(FIGURES[name](sims, None))
    render(FIGURES[name](None, dmft))
    render(FIGURES[name](None, None))


def test_finite_size_fit_in_another_power_of_n(sims, dmft):
    figure = FIGURES["finite_size_scaling"](sims, dmft, power=0.5)
    assert "$N^{-0.5}$" in figure_text(figure)
    render(figure)


@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_on_an_empty_merge_and_a_dmft_without_lyapunov(name, dmft):
    empty = xr.Dataset(coords={d: np.array([], dtype=float) for d in data.SIMULATION_DIMS})
    render(FIGURES[name](empty, dmft.drop_vars(["lyapunov_max", "g_c"])))


def test_figures_on_a_single_point_grid(dmft):
    sims = merged_simulations(gains=(3.0,), biases=(0.0,), sizes=(64,), seeds=1)
    single = dmft.sel(g=[3.0], sigma_b=[0.0])
    for draw in FIGURES.values():
        render(draw(sims, single))


def test_bad_input_names_the_value(sims, dmft):
    with pytest.raises(InputError, match="sigma_b"):
        FIGURES["phase_diagram"](sims.rename(sigma_b="bias"), dmft)
    with pytest.raises(InputError, match="curves"):
        FIGURES["fixed_point_map"](sims, dmft, curves=0)
    with pytest.raises(InputError, match="sigma_b"):
        FIGURES["gate_statistics"](sims, dmft, sigma_b=-1)
    with pytest.raises(InputError, match="power"):
        FIGURES["finite_size_scaling"](sims, dmft, power=0)
    with pytest.raises(InputError, match="model"):
        FIGURES["jacobian_radius"](sims, dmft, model="gru")


def test_gap_list_names_cells_seeds_and_status(sims):
    values = knock_out(sims, model="lstm", g=2.0, sigma_b=0.5, N=32, seed=[0, 2])
    entries = data.gaps(values["C0"], values["status"])
    assert entries == ["model=lstm, g=2, σ_b=0.5, N=32 seed 0,2 (missing)"]
    assert data.gaps(knock_out(sims, N=64)["C0"]) == ["N=64: all cells"]
    assert data.gaps(sims["C0"]) == []
    scattered = knock_out(sims, model="rate", sigma_b=0.0, N=32, seed=0)
    entries = data.gaps(scattered["C0"], limit=2)
    assert entries == ["model=rate, g=1, σ_b=0, N=32 seed 0", "model=rate, g=1.5, σ_b=0, N=32 seed 0", "and 3 more"]


def test_dmft_values_at_simulation_points_are_interpolated_linearly(dmft):
    plane = dmft["g"] * 2.0 - dmft["sigma_b"]  # linear: interpolation is exact
    at = data.at_points(plane, [1.25, 3.0], [0.15])
    np.testing.assert_allclose(at.values.ravel(), [2.35, 5.85])
    single = plane.sel(sigma_b=[0.3])
    assert np.isnan(data.at_points(single, [1.0], [0.2]).item())  # off the one-value axis


def zero_state_jacobian(cell_weights: np.ndarray) -> np.ndarray:
    """J0 = [[I/2, U_c/2], [I/4, U_c/4]] (2N × 2N) for the cell-input weights U_c (N × N)."""
    identity = np.eye(cell_weights.shape[0])
    return np.block([[identity / 2, cell_weights / 2], [identity / 4, cell_weights / 4]])


def test_zero_state_eigenvalues_match_the_full_jacobian():
    """spec(J0) = {1/2 + μ/4 : μ in spec(U_c)} ∪ {0 (N times)}, checked on the 2N × 2N matrix."""
    weights = cell_weights(g=1.5, size=40, seed=3)
    direct = np.linalg.eigvals(zero_state_jacobian(weights))
    np.testing.assert_allclose(np.sort_complex(direct), np.sort_complex(zero_state_eigenvalues(weights)), atol=1e-10)


def test_zero_state_spectral_radius_tends_to_circular_law():
    errors = []
    for size in (100, 800):
        radius = np.abs(zero_state_eigenvalues(cell_weights(g=3.0, size=size, seed=0))).max()
        errors.append(abs(radius - (0.5 + 3.0 / 4)))
    assert errors[1] < 0.03
    assert errors[1] < errors[0]


def test_every_figure_has_a_report_category_and_a_caption():
    """The workflow lists eoc.figures.FIGURES in the report: each needs a category and a caption."""
    for name, figure in FIGURES.items():
        assert figure.category and callable(figure.draw)
        caption = ROOT / "workflow/report" / f"{name}.rst"
        assert caption.is_file() and caption.read_text().strip(), name
    assert "from eoc.figures import FIGURES" in (ROOT / "workflow/rules/figures.smk").read_text()


def test_figures_from_the_real_producers(tmp_path):
    """The DMFT solver's and the simulation engine's own files, merged with one job missing."""
    from eoc.meanfield.rate import solve_grid
    from eoc.merge import merge_simulations
    from eoc.simulate import run

    dmft = solve_grid(
        [1.0, 2.5, 3.5],
        [0.0, 0.5],
        tau_max=10.0,
        tau_step=0.5,
        box_points=200,
        c0_trial_max=3.0,
        c0_trial_count=16,
        progress=False,
    )
    paths = []
    for model in ("lstm", "rate"):
        for size in (8, 16):
            for seed in (0, 1):
                path = tmp_path / f"{model}_{size}_{seed}.nc"
                if (model, size, seed) != ("rate", 16, 1):  # the missing job
                    run(
                        model=model,
                        g=[1.0, 3.5],
                        sigma_b=[0.0, 0.5],
                        N=size,
                        seed=seed,
                        steps=200,
                        transient=50,
                        n_lags=8,
                        out=path,
                        progress=False,
                    )
                paths.append(path)
    sims = merge_simulations(
        paths, expect=dict(model=["lstm", "rate"], g=[1.0, 3.5], sigma_b=[0.0, 0.5], N=[8, 16], seed=[0, 1])
    )
    assert (sims["status"] == "missing").sum() == 4
    for draw in FIGURES.values():
        render(draw(sims, dmft))
    text = figure_text(FIGURES["finite_size_scaling"](sims, dmft, g=3.5))
    assert re.search(r"rate gaps: [^;]*N=16[^;]*\(([a-z_]+, )*missing", text), text


def test_figures_from_a_dmft_merged_from_blocks_split_along_g(tmp_path, sims):
    """Issue 14 item 7: g_c(sigma_b) gained a g dimension in such a merge and the figures crashed."""
    from eoc import io
    from eoc.meanfield.rate import solve_grid
    from eoc.merge import merge_dmft

    options = dict(tau_max=10.0, tau_step=0.5, box_points=200, c0_trial_max=3.0, c0_trial_count=16, progress=False)
    blocks = [
        io.write_dataset(solve_grid(gains, [0.0, 0.5], **options), tmp_path / f"g{k}.nc")
        for k, gains in enumerate(([1.0, 2.5], [3.5]))
    ]
    dmft = merge_dmft(blocks, expect={"g": [1.0, 2.5, 3.5], "sigma_b": [0.0, 0.5]})
    for draw in FIGURES.values():
        render(draw(sims, dmft))


def test_captions_render_with_the_default_configuration():
    """Each caption is Jinja (the workflow's config) then reStructuredText without errors."""
    import docutils.core
    import jinja2
    import yaml

    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    namespace = type("Snakemake", (), {"config": config})
    for path in sorted((ROOT / "workflow/report").glob("*.rst")):
        text = (
            jinja2.Environment(undefined=jinja2.StrictUndefined)
            .from_string(path.read_text())
            .render(snakemake=namespace)
        )
        docutils.core.publish_parts(text, writer="html", settings_overrides={"halt_level": 2, "report_level": 5})
        if "DMFT grid" in text:
            assert "σ_b = " + ", ".join(map(str, config["dmft"]["sigma_b"])) in text


def test_command_line_draws_from_files(tmp_path, sims, dmft, monkeypatch):
    """The command's plumbing (every figure is drawn by test_draw_all_writes_every_png_and_pdf)."""
    import eoc.figures
    from eoc import io as io_

    monkeypatch.setattr(eoc.figures, "FIGURES", {"phase_diagram": FIGURES["phase_diagram"]})
    io_.write_dataset(sims, tmp_path / "simulations.nc")  # the CF form on disk, read back by the command
    io_.write_dataset(dmft, tmp_path / "dmft.nc")
    outdir = tmp_path / "figures"
    code = main(
        [
            "figures",
            "--simulations",
            str(tmp_path / "simulations.nc"),
            "--dmft",
            str(tmp_path / "dmft.nc"),
            "--outdir",
            str(outdir),
        ]
    )
    assert code == 0
    assert sorted(p.name for p in outdir.iterdir()) == ["phase_diagram.pdf", "phase_diagram.png"]


def test_command_line_rejects_a_missing_file(tmp_path, capsys):
    code = main(
        [
            "figures",
            "--simulations",
            str(tmp_path / "nope.nc"),
            "--dmft",
            str(tmp_path / "dmft.nc"),
            "--outdir",
            str(tmp_path),
        ]
    )
    assert code == 2
    assert "nope.nc" in capsys.readouterr().err


def test_dmft_chaos_onset_is_the_root_of_the_dmft_exponent():
    """The DMFT λ_max = 0 line from root finding: g = 2 at σ_b = 0 (λ_max = −1/2 + g/4 below),
    the fixed-point boundary g_c(σ_b) with bias (where the static solution loses stability), and
    NaN where the grid does not bracket a sign change; a coarse grid's linear interpolation is
    off by far more."""
    from eoc.analysis import zero_crossing
    from eoc.figures.chaos import dmft_chaos_onset
    from eoc.meanfield.rate import fixed_point_boundary, solve_grid

    grid = solve_grid([1.5, 2.5, 3.5, 4.0], [0.0, 0.5, 1.0])
    onset = dmft_chaos_onset(grid["lyapunov_max"])
    boundary = fixed_point_boundary([0.0, 0.5])
    np.testing.assert_allclose(onset.sel(sigma_b=[0.0, 0.5]).values, boundary, atol=1e-3)
    assert np.isnan(onset.sel(sigma_b=1.0))  # g_c(1) ≈ 4.65 lies beyond the grid
    column = grid["lyapunov_max"].sel(sigma_b=0.5)
    interpolated, _ = zero_crossing(column["g"].values, column.values)
    assert abs(interpolated - boundary[1]) > 10 * 1e-3


def merged_lstm_theory(*, gains=(1.0, 1.5, 2.0, 2.5, 3.0, 3.5), biases=(0.0, 0.5)) -> xr.Dataset:
    """A dmft_lstm.nc-shaped dataset: zero gate spread and λ < 0 below g_c = 2, growing above."""
    g = np.array(gains)
    above = np.clip(g - 2.0, 0, None)[:, None, None] * np.ones((1, len(biases), 3))
    lam = np.where(g < 2.0, np.log(g / 2.0), 0.05 * (g - 2.0))[:, None] * np.ones((1, len(biases)))
    status = np.full((len(gains), len(biases)), "ok", dtype=object)
    status[-1, -1] = "coarse iteration did not converge in 60 iterations"
    return xr.Dataset(
        {
            "gate_std": (("g", "sigma_b", "gate"), 0.1 * above),
            "gate_std_stderr": (("g", "sigma_b", "gate"), 0.002 * above),
            "lyapunov_max": (("g", "sigma_b"), lam),
            "lyapunov_max_stderr": (("g", "sigma_b"), 0.001 * np.ones_like(lam)),
            "lambda2": (("g", "sigma_b"), np.where(g < 2.0, np.nan, 0.01 * (g - 2.0))[:, None] * np.ones_like(lam)),
            "status": (("g", "sigma_b"), status.astype(str)),
            "g_c": (("sigma_b",), np.full(len(biases), 2.0)),
            "regime": (("g", "sigma_b"), np.where(g < 2.0, "fixed_point", "chaotic")[:, None].repeat(len(biases), 1)),
            "autocorr": (("g", "sigma_b", "tau"), above[..., :1] * 0.5 ** np.arange(16)),
        },
        coords={"g": g, "sigma_b": list(biases), "gate": ["f", "i", "o"], "tau": np.arange(16)},
    )


LSTM_THEORY_FIGURES = [name for name, figure in FIGURES.items() if figure.lstm_theory]


@pytest.mark.parametrize("name", ["gate_spread_theory", "lyapunov_theory"])
def test_lstm_theory_figures_draw_theory_and_simulations(name, sims, dmft):
    theory = merged_lstm_theory()
    figure = FIGURES[name](sims, dmft, dmft_lstm=theory)
    render(figure)
    text = figure_text(figure)
    assert "theory $N = \\infty$" in text and "no LSTM mean-field file" not in text
    assert "onset g_c = 2" in text or name != "gate_spread_theory"
    # the theory line is the dataset's values (status ok only) at sigma_b = 0
    (line,) = [ln for ln in figure.axes[0].get_lines() if ln.get_label() == "theory $N = \\infty$"]
    expected = (
        theory["gate_std"].sel(sigma_b=0.0, gate="f")
        if name == "gate_spread_theory"
        else theory["lyapunov_max"].sel(sigma_b=0.0)
    )
    np.testing.assert_allclose(line.get_ydata(), expected.values)


@pytest.mark.parametrize("name", LSTM_THEORY_FIGURES)
def test_lstm_theory_figures_without_the_theory_file_say_so(name, sims, dmft):
    figure = FIGURES[name](sims, dmft, dmft_lstm=None)
    render(figure)
    assert "no LSTM mean-field file (dmft_lstm.nc)" in figure_text(figure)
    render(FIGURES[name](None, None, dmft_lstm=merged_lstm_theory()))
    render(FIGURES[name](None, None, dmft_lstm=None))


def test_lstm_theory_figure_masks_points_whose_status_is_not_ok(sims, dmft):
    figure = FIGURES["lyapunov_theory"](sims, dmft, dmft_lstm=merged_lstm_theory(), sigma_b=0.5)
    (line,) = [ln for ln in figure.axes[0].get_lines() if ln.get_label() == "theory $N = \\infty$"]
    assert np.isnan(line.get_ydata()[-1]) and np.isfinite(line.get_ydata()[:-1]).all()


def test_command_line_passes_the_lstm_theory_file(tmp_path, sims, dmft, monkeypatch, capsys):
    import eoc.figures
    from eoc import io as io_

    monkeypatch.setattr(eoc.figures, "FIGURES", {"lyapunov_theory": FIGURES["lyapunov_theory"]})
    for name, ds in (("simulations", sims), ("dmft", dmft), ("dmft_lstm", merged_lstm_theory())):
        io_.write_dataset(ds, tmp_path / f"{name}.nc")
    files = ["--simulations", str(tmp_path / "simulations.nc"), "--dmft", str(tmp_path / "dmft.nc")]
    outdir = tmp_path / "figures"
    assert main(["figures", *files, "--dmft-lstm", str(tmp_path / "dmft_lstm.nc"), "--outdir", str(outdir)]) == 0
    assert sorted(p.name for p in outdir.iterdir()) == ["lyapunov_theory.pdf", "lyapunov_theory.png"]
    assert main(["figures", *files, "--dmft-lstm", str(tmp_path / "nope.nc"), "--outdir", str(outdir)]) == 2
    assert "--dmft-lstm file" in capsys.readouterr().err


def test_lstm_autocorr_theory_draws_the_chaotic_gains(sims, dmft):
    theory = merged_lstm_theory()
    figure = FIGURES["autocorr_theory"](sims, dmft, dmft_lstm=theory)
    render(figure)
    lines = {ln.get_label(): ln for ln in figure.axes[0].get_lines() if ln.get_label().startswith("$g")}
    # the chaotic gains of the theory grid are 2, 2.5, 3, 3.5 (status ok at sigma_b = 0): three spread over them
    assert sorted(lines) == ["$g = 2$", "$g = 3$", "$g = 3.5$"]
    np.testing.assert_allclose(lines["$g = 3$"].get_ydata(), theory["autocorr"].sel(g=3.0, sigma_b=0.0).values)


def test_lstm_lyapunov_against_its_own_lambda2_draws_the_theory_points(sims, dmft):
    """The theory's chaotic points with status ok, per σ_b: x = lambda2 (κ²), y = lyapunov_max."""
    theory = merged_lstm_theory()
    figure = FIGURES["lstm_lyapunov_vs_lambda2"](sims, dmft, dmft_lstm=theory)
    render(figure)
    lines = [ln for ln in figure.axes[0].get_lines() if (ln.get_gid() or "").startswith("theory")]
    chaotic = theory.sel(sigma_b=0.0).where(theory["regime"].sel(sigma_b=0.0) == "chaotic", drop=True)
    (line,) = [ln for ln in lines if len(ln.get_xdata()) == chaotic["g"].size]
    np.testing.assert_allclose(line.get_xdata(), chaotic["lambda2"].values)
    np.testing.assert_allclose(line.get_ydata(), chaotic["lyapunov_max"].values)
    # at sigma_b = 0.5 the last point's status is not ok: one point fewer
    assert sorted(len(ln.get_xdata()) for ln in lines) == [chaotic["g"].size - 1, chaotic["g"].size]
