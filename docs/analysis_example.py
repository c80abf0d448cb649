# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The merged results, as a physicist uses them
#
# This script is a notebook in jupytext's percent format (`jupytext --to notebook
# docs/analysis_example.py` makes an `.ipynb`; `python docs/analysis_example.py` runs it as is; the
# test suite runs it on the tiny sweep's files). It opens the two merged files, counts the cells by
# status, averages over network realisations the way `eoc.analysis` does (every realisation except
# the diverged ones and the cells without data), extrapolates to N → ∞ with the fit's error, and
# redraws the finite-size and Lyapunov-vs-λ² panels.
#
# `EOC_MERGED` is the folder of `simulations.nc` and `dmft.nc` (default `results/merged`);
# `EOC_OUTPUT` the folder for the figures (default `results/notebook`).

# %%
import os
from pathlib import Path

import matplotlib

matplotlib.use(os.environ.get("MPLBACKEND", "Agg"))
import matplotlib.pyplot as plt
import numpy as np

import eoc
from eoc import analysis, figures
from eoc.figures import data

merged = Path(os.environ.get("EOC_MERGED", "results/merged"))
output = Path(os.environ.get("EOC_OUTPUT", "results/notebook"))
output.mkdir(parents=True, exist_ok=True)

sims = eoc.open_simulations(merged / "simulations.nc")  # model, g, sigma_b, mu_f, N, seed
# the network with zero bias means (mu_f: the LSTM's forget-gate bias mean; the rate model has none)
sims = sims.sel(mu_f=0.0)
dmft = eoc.open_dmft(merged / "dmft.nc")  # g, sigma_b
sims

# %% [markdown]
# ## Units and statuses
#
# Each model counts time in its own unit: `time_unit` is `step` for the LSTM and `tau` (the time
# constant) for the rate model; exponents are per `time_unit`. The status of every cell is one of
# `eoc.status.SIMULATION`.

# %%
for model in sims.model.values:
    unit = sims.time_unit.sel(model=model).item()
    counts = analysis.quenched_average(sims.lyapunov_max.sel(model=model), sims.status.sel(model=model))
    per_status = counts["status_count"].sum([d for d in counts["status_count"].dims if d != "status"])
    found = {str(name): int(n) for name, n in zip(per_status.status.values, per_status.values, strict=True) if n}
    print(f"{model}: lyapunov_max per {unit}; cells by status {found}")

# %% [markdown]
# ## Finite-size scaling of λ_max
#
# At the largest gain and the smallest bias of the grid: the quenched average over seeds against
# 1/N, and its N → ∞ limit from the fit m(N) = a + b/N (`analysis.fit_inverse_size`).

# %%
gain, bias = float(sims.g.max()), float(sims.sigma_b.min())
fig, ax = plt.subplots(figsize=(3.4, 2.6))
for model in sims.model.values:
    values = sims.lyapunov_max.sel(model=model, g=gain, sigma_b=bias)
    status = sims.status.sel(model=model, g=gain, sigma_b=bias)
    average = analysis.quenched_average(values, status)
    sizes = average.N.values
    ax.errorbar(1 / sizes, average["mean"], yerr=np.nan_to_num(average["stderr"]), fmt="o", label=model)
    fit = analysis.fit_inverse_size(sizes, average["mean"].values, average["stderr"].values)
    unit = sims.time_unit.sel(model=model).item()
    print(
        f"{model}: lambda_max(N -> inf) = {fit.value:.4g} +- {fit.stderr:.2g} per {unit} "
        f"({fit.sizes_used} sizes; NaN needs two or more)"
    )
    if np.isfinite(fit.value):
        x = np.linspace(0, 1 / sizes.min(), 20)
        ax.plot(x, fit.value + fit.slope * x, lw=0.8)
ax.set_xlabel("1/N")
ax.set_ylabel(r"$\lambda_{max}$ (per time unit)")
ax.set_title(f"g = {gain:g}, σ_b = {bias:g}", fontsize=8)
ax.legend(fontsize=7)
fig.savefig(output / "finite_size_by_hand.png", dpi=150, bbox_inches="tight")

# %% [markdown]
# ## λ_max against the DMFT's λ²
#
# The rate model's exponent (N → ∞ limit where there are two or more sizes, else the largest N)
# against λ² of the DMFT at the same (g, σ_b).

# %%
rate = sims.lyapunov_max.sel(model="rate")
usable = analysis.usable(rate, sims.status.sel(model="rate"))
limit = analysis.extrapolate_infinite_size(usable)["value"]
if not np.isfinite(limit).any():
    limit = analysis.seed_statistics(usable.isel(N=-1))["mean"]
lambda2 = data.at_points(dmft.lambda2, limit.g, limit.sigma_b)
fig, ax = plt.subplots(figsize=(3.4, 2.6))
ax.plot(lambda2.values.ravel(), limit.transpose("g", "sigma_b").values.ravel(), "o")
ax.axhline(0, color="0.6", lw=0.8)
ax.set_xlabel(r"DMFT $\lambda^2$ (per $\tau^2$)")
ax.set_ylabel(r"$\lambda_{max}$ (per $\tau$)")
fig.savefig(output / "lyapunov_vs_lambda2_by_hand.png", dpi=150, bbox_inches="tight")

# %% [markdown]
# ## The same panels from `eoc.figures`
#
# The pipeline's figure functions take the same two datasets.

# %%
for name in ("finite_size_scaling", "lyapunov_vs_lambda2"):
    figure = figures.FIGURES[name](sims, dmft)
    figure.savefig(output / f"{name}.png", dpi=150)
    print("wrote", output / f"{name}.png")
