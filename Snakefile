# The eoc sweep: simulations and DMFT over (g, sigma_b, N, seed), merged into
# results/merged/{simulations,dmft}.nc, then the figures. The rules live in workflow/rules/;
# the configuration keys are explained in config/README.md.


# The default grid, found from any working directory (snakemake -d DIR); a --configfile given on
# the command line is merged over it key by key.
configfile: os.path.join(workflow.basedir, "config", "config.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/simulate.smk"
include: "workflow/rules/dmft.smk"
include: "workflow/rules/merge.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/forecast.smk"


# The per-job results are targets too: Snakemake does not remake a missing intermediate file whose
# consumer is up to date, so a deleted result is rerun (and merged again) only when it is asked for.
rule all:
    default_target: True
    input:
        rules.merge_simulations.input.results,
        rules.merge_dmft.input.results,
        rules.merge_simulations.output,
        rules.merge_dmft.output,
        rules.merge_dmft_lstm.input.results,
        rules.merge_dmft_lstm.output if DMFT_LSTM else [],
        rules.figures.output,
