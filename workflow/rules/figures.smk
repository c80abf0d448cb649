# Figures of the paper and of the report: read the two merged files, draw every figure.
# The work is done by `eoc figures` (src/eoc/figures/); this rule only names the files.


report: "../report/workflow.rst"


FIGURES = {
    "fixed_point_map": "Mean-field theory",
    "fixed_point_map_bias": "Mean-field theory",
    "lambda2_heatmaps": "Mean-field theory",
    "finite_size_scaling": "Finite-size scaling",
    "critical_gain": "Finite-size scaling",
    "lyapunov_vs_lambda2": "Chaos and correlations",
    "phase_diagram": "Chaos and correlations",
    "jacobian_radius": "Linear stability",
    "jacobian_eigenvalues": "Linear stability",
    "gate_statistics": "LSTM gates",
    "autocorrelation": "Chaos and correlations",
}


rule figures:
    input:
        sims="results/merged/simulations.nc",
        dmft="results/merged/dmft.nc",
    output:
        [
            report(
                f"results/figures/{name}.png",
                caption=f"../report/{name}.rst",
                category=category,
            )
            for name, category in FIGURES.items()
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
