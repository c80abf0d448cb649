# Figures of the paper and of the report: read the two merged files, draw every figure.
# The work is done by `eoc figures` (src/eoc/figures/); this rule only names the files, from the
# one list of figures and their report categories, eoc.figures.FIGURES.

from eoc.figures import FIGURES


report: "../report/workflow.rst"


rule figures:
    input:
        sims="results/merged/simulations.nc",
        dmft="results/merged/dmft.nc",
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
    shell:
        "eoc figures --simulations {input.sims} --dmft {input.dmft}"
        " --outdir results/figures 2> {log}"
