# The DMFT of the rate model on the dense (g, sigma_b) grid, one job per block of sigma_b values
# (each job solves all g of its block); merge.smk combines the blocks.


rule dmft:
    output:
        result=DMFT_RESULT,
    log:
        "logs/dmft/sb{sigma_b}.log",
    conda:
        "../../envs/eoc.yaml"
    resources:
        mem_mb=1000,
        runtime=30,
    params:
        g=numbers(DMFT_G),
        sigma_b=lambda wc: numbers(sweep.block_values(wc.sigma_b, DMFT_SIGMA_B)),
    shell:
        run_or_record("eoc dmft --g {params.g} --sigma-b {params.sigma_b}")


# The LSTM's mean-field theory (config key dmft_lstm, optional), one job per block of sigma_b
# values like the rate DMFT; merge.smk combines the blocks into results/merged/dmft_lstm.nc.
rule dmft_lstm:
    output:
        result=DMFT_LSTM_RESULT,
    log:
        "logs/dmft_lstm/sb{sigma_b}.log",
    conda:
        "../../envs/eoc.yaml"
    resources:
        mem_mb=1000,
        runtime=60,
    params:
        g=numbers(DMFT_LSTM_G),
        sigma_b=lambda wc: numbers(sweep.block_values(wc.sigma_b, DMFT_LSTM_SIGMA_B)),
        options=dmft_lstm_options(),
    shell:
        run_or_record(
            "eoc dmft --model lstm --g {params.g} --sigma-b {params.sigma_b} {params.options}"
        )
