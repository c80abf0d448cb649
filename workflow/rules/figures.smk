# Figures of the paper and of the report: read the merged files (dmft_lstm.nc where the config
# has dmft_lstm), draw every figure.
# The work is done by `eoc figures` (src/eoc/figures/); this rule only names the files, from the
# one list of figures and their report categories, eoc.figures.FIGURES.

from eoc.figures import FIGURES


report: "../report/workflow.rst"


rule figures:
    input:
        sims="results/merged/simulations.nc",
        dmft="results/merged/dmft.nc",
        dmft_lstm="results/merged/dmft_lstm.nc" if DMFT_LSTM else [],
    output:
        [
            report(
                f"results/figures/{name}.png",
                caption=f"../report/{name}.rst",
                category=figure.category,
            )
            for name, figure in FIGURES.items()
        ],
        [f"results/figures/{name}.pdf" for name in FIGURES],
    log:
        "logs/figures.log",
    conda:
        "../../envs/eoc.yaml"
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        # the LSTM theory file where config has dmft_lstm (without it: figures without theory)
        dmft_lstm="--dmft-lstm results/merged/dmft_lstm.nc" if DMFT_LSTM else "",
    shell:
        "eoc figures --simulations {input.sims} --dmft {input.dmft} {params.dmft_lstm}"
        " --outdir results/figures 2> {log}"
