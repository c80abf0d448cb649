# The two merged files of the data contract. The inputs are the jobs' .status files (so the merge
# runs after every job, failed or not); the results they point to are listed in a text file
# (a long sweep's paths do not fit on one command line), and the merge marks absent ones missing.


localrules:
    result_list,


rule result_list:
    output:
        "results/merged/{kind}.files",
    log:
        "logs/merged/{kind}.files.log",
    params:
        results=lambda wc: (
            [result_of(SIM_STATUS.format(**job)) for job in simulation_jobs()]
            if wc.kind == "simulations"
            else [result_of(DMFT_STATUS.format(**job)) for job in dmft_jobs()]
        ),
    run:
        with open(output[0], "w") as listing:
            listing.writelines(f"{path}\n" for path in params.results)


rule merge_simulations:
    input:
        status=[SIM_STATUS.format(**job) for job in simulation_jobs()],
        results="results/merged/simulations.files",
    output:
        "results/merged/simulations.nc",
    log:
        "logs/merged/simulations.log",
    conda:
        "../../envs/eoc.yaml"
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        expect=expect_options(
            dict(model=MODELS, g=G, sigma_b=SIGMA_B, N=NS, seed=SEEDS)
        ),
        complete="--require-complete" if config["require_complete"] else "",
    shell:
        "eoc merge simulations --out {output} --files-from {input.results}"
        " {params.expect} {params.complete} 2> {log}"


rule merge_dmft:
    input:
        status=[DMFT_STATUS.format(**job) for job in dmft_jobs()],
        results="results/merged/dmft.files",
    output:
        "results/merged/dmft.nc",
    log:
        "logs/merged/dmft.log",
    conda:
        "../../envs/eoc.yaml"
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        expect=expect_options(dict(g=DMFT_G, sigma_b=DMFT_SIGMA_B)),
        complete="--require-complete" if config["require_complete"] else "",
    shell:
        "eoc merge dmft --out {output} --files-from {input.results}"
        " {params.expect} {params.complete} 2> {log}"
