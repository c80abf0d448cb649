# The two merged files of the data contract. The inputs are the jobs' results (a failed job's
# result is its failure record, so the merge runs after every job, failed or not); they are listed
# in a text file (a long sweep's paths do not fit on one command line), and the merge marks the
# cells of failure records missing, and of damaged files unreadable or incomplete.


localrules:
    result_list,


rule result_list:
    output:
        "results/merged/{kind}.files",
    log:
        "logs/merged/{kind}.files.log",
    params:
        results=lambda wc: (
            [SIM_RESULT.format(**job) for job in simulation_jobs()]
            if wc.kind == "simulations"
            else (
                [DMFT_LSTM_RESULT.format(**job) for job in dmft_lstm_jobs()]
                if wc.kind == "dmft_lstm"
                else [DMFT_RESULT.format(**job) for job in dmft_jobs()]
            )
        ),
    run:
        with open(output[0], "w") as listing:
            listing.writelines(f"{path}\n" for path in params.results)


rule merge_simulations:
    input:
        results=[SIM_RESULT.format(**job) for job in simulation_jobs()],
        listing="results/merged/simulations.files",
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
            dict(model=MODELS, g=G, sigma_b=SIGMA_B, mu_f=MU_F, N=NS, seed=SEEDS)
        ),
        complete="--require-complete" if config["require_complete"] else "",
    shell:
        "eoc merge simulations --out {output} --files-from {input.listing}"
        " {params.expect} {params.complete} 2> {log}"


rule merge_dmft:
    input:
        results=[DMFT_RESULT.format(**job) for job in dmft_jobs()],
        listing="results/merged/dmft.files",
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
        "eoc merge dmft --out {output} --files-from {input.listing}"
        " {params.expect} {params.complete} 2> {log}"


rule merge_dmft_lstm:
    input:
        results=[DMFT_LSTM_RESULT.format(**job) for job in dmft_lstm_jobs()],
        listing="results/merged/dmft_lstm.files",
    output:
        "results/merged/dmft_lstm.nc",
    log:
        "logs/merged/dmft_lstm.log",
    conda:
        "../../envs/eoc.yaml"
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        expect=expect_options(dict(g=DMFT_LSTM_G, sigma_b=DMFT_LSTM_SIGMA_B)),
        complete="--require-complete" if config["require_complete"] else "",
    shell:
        "eoc merge dmft_lstm --out {output} --files-from {input.listing}"
        " {params.expect} {params.complete} 2> {log}"
