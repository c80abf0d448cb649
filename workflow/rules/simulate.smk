# One MPI job per (model, mu_f, N), block of seeds and block of (g, sigma_b) values: `eoc simulate` over
# the block shares the disorder of each (N, seed) and steps the seeds' networks together. Ranks, memory and time limit follow from N (the LSTM's
# weights are 4 N^2 x 8 bytes in float64, the rate model's N^2 x 8) through eoc.sweep.
# The launcher `mpi` comes from the profile (mpiexec locally, srun --mpi=pmi2 on Slurm).


rule simulate:
    output:
        result=SIM_RESULT,
    log:
        "logs/sim/{model}/N{N}/seed{seed}/g{g}_sb{sigma_b}_muf{mu_f}.log",
    conda:
        "../../envs/eoc.yaml"
    threads: lambda wc: tasks(wc.model, wc.N)
    resources:
        mpi="mpiexec",
        tasks=lambda wc: tasks(wc.model, wc.N),
        cpus_per_task=1,
        mem_mb=lambda wc: sweep.memory_mb(
            wc.model,
            int(wc.N),
            tasks=tasks(wc.model, wc.N),
            mb_per_process=SIM["resources"]["mb_per_process"],
            networks=len(seeds_of(wc)),
        ),
        runtime=lambda wc, attempt: sweep.runtime_minutes(
            wc.model,
            int(wc.N),
            steps=STEP_LIMIT[wc.model] + TRANSIENT[wc.model],
            points=points_of(wc),
            networks=len(seeds_of(wc)),
            base_minutes=SIM["resources"]["base_minutes"],
            attempt=attempt,
            **step_model(wc.model, int(wc.N)),
        ),
    params:
        # a job killed by the scheduler resumes from here when Snakemake resubmits it
        checkpoint=lambda wc, output: checkpoint_of(output.result),
        # MPICH's launcher leaves nothing in /tmp when the job is killed
        environment=LAUNCH_ENVIRONMENT,
        seed=lambda wc: " ".join(map(str, seeds_of(wc))),
        g=lambda wc: numbers(sweep.block_values(wc.g, G)),
        sigma_b=lambda wc: numbers(sweep.block_values(wc.sigma_b, SIGMA_B)),
        # the gate-bias means (mu_f and simulate.bias_means) go to the gated model only
        run=lambda wc: f"{run_length(wc.model)} --k {SIM['k']} --n-lags {SIM['n_lags']}"
        + (
            f" --jacobian-max-N {SIM['jacobian_max_N']}"
            if "jacobian_max_N" in SIM
            else ""
        )
        + bias_mean_options(wc),
    shell:
        run_or_record(
            "{params.environment} {resources.mpi} -n {resources.tasks} python -m mpi4py -m eoc simulate"
            " --model {wildcards.model} --N {wildcards.N} --seed {params.seed}"
            " --g {params.g} --sigma-b {params.sigma_b} {params.run}"
            " --checkpoint {params.checkpoint} --damaged-checkpoint restart"
        )
