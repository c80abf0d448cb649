# Reservoir forecasting (eoc forecast, src/eoc/forecast/): one job per (system, N, seed) over the
# whole (g, sigma_b) grid of config["forecast"], merged into results/merged/forecast.nc and drawn
# against the LSTM's linear-stability criterion. Its own target, not part of `all`:
#     snakemake --profile profiles/local forecasting
# No `forecast` key in the config: no jobs.

from eoc.forecast.job import command_options, sweep_jobs

FORECAST = config.get("forecast")
FORECAST_RESULT = "results/forecast/{system}/N{N}/seed{seed}.nc"


rule forecast:
    output:
        FORECAST_RESULT,
    log:
        "logs/forecast/{system}/N{N}/seed{seed}.log",
    conda:
        "../../envs/eoc.yaml"
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        g=lambda wc: numbers(sweep.canonical_grid("forecast.g", FORECAST["g"])),
        sigma_b=lambda wc: numbers(
            sweep.canonical_grid("forecast.sigma_b", FORECAST["sigma_b"])
        ),
        options=lambda wc: command_options(FORECAST),
    shell:
        "eoc forecast run --system {wildcards.system} --N {wildcards.N} --seed {wildcards.seed}"
        " --g {params.g} --sigma-b {params.sigma_b} {params.options} --out {output} 2> {log}"


rule merge_forecast:
    input:
        [FORECAST_RESULT.format(**job) for job in sweep_jobs(FORECAST)],
    output:
        "results/merged/forecast.nc",
    log:
        "logs/merged/forecast.log",
    conda:
        "../../envs/eoc.yaml"
    shell:
        "eoc forecast merge --out {output} {input} 2> {log}"


rule forecast_figure:
    input:
        rules.merge_forecast.output,
    output:
        report(
            "results/figures/forecast_nrmse.png",
            caption="../report/forecast_nrmse.rst",
            category="Reservoir forecasting",
        ),
        "results/figures/forecast_nrmse.pdf",
    log:
        "logs/figures/forecast_nrmse.log",
    conda:
        "../../envs/eoc.yaml"
    shell:
        "eoc forecast figure --forecast {input} --outdir results/figures 2> {log}"


localrules:
    forecasting,


rule forecasting:
    input:
        rules.forecast_figure.output,
