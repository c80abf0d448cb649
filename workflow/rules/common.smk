# The sweep's configuration, checked before any job, and the functions that name and size jobs.
#
# Paths: results/sim/{model}/N{N}/seed{seed}/g{g}_sb{sigma_b}_muf{mu_f}.nc, results/dmft/sb{sigma_b}.nc,
# results/dmft_lstm/sb{sigma_b}.nc
# {g} and {sigma_b} are block labels of eoc.sweep ("2" or "1.5_to_2.5"), {mu_f} one forget-gate
# bias mean ("0", "1", "-0.5"), all written with the one canonical number format, which is also
# what parses them back. A model without gates (the rate model) runs at mu_f = 0 only.
#
# Every per-job result is a declared output (snakemake --summary lists it, a deleted one is rerun,
# --delete-all-output removes it). Failure handling: a job whose program fails does not fail in
# Snakemake. In place of its result it writes a failure record (eoc.merge.failures: a netCDF file
# without data whose attribute names the exit status and the log); the merge marks its cells
# "missing" with that reason and lists them, so one bad cell never blocks the sweep. Delete the
# record (or --forcerun the job) to run it again. The config key require_complete makes a missing
# cell an error.

import shlex
from pathlib import Path

import yaml
from snakemake.utils import min_version, validate

from eoc import sweep, validation
from eoc.errors import InputError
from eoc.launcher import LAUNCHER_ENVIRONMENT
from eoc.simulate import MODELS as MODEL_TABLE, Options, memory
from eoc.validation import config_numbers

min_version("9.0")


SCHEMA = Path(workflow.current_basedir) / "../schemas/config.schema.yaml"
validate(config, str(SCHEMA))
config_numbers(config, yaml.safe_load(SCHEMA.read_text()))

SIM = config["simulate"]
# the models of the table eoc.simulate.MODELS (the schema checks only that they are names)
MODELS = [
    validation.choice("models", model, tuple(MODEL_TABLE)) for model in config["models"]
]
NS = config["N"]
# run length per model: simulate.steps and simulate.transient are one number or {model: number}
STEPS = sweep.per_model("simulate.steps", SIM["steps"], MODELS, known=MODEL_TABLE)
TRANSIENT = sweep.per_model(
    "simulate.transient", SIM["transient"], MODELS, known=MODEL_TABLE
)
# adaptive run length (optional, both or neither): a job continues past its steps until every
# network's lambda_max stderr is at most target_stderr or max_steps steps were measured
TARGET_STDERR = sweep.per_model(
    "simulate.target_stderr", SIM.get("target_stderr"), MODELS, known=MODEL_TABLE
)
MAX_STEPS = sweep.per_model(
    "simulate.max_steps", SIM.get("max_steps"), MODELS, known=MODEL_TABLE
)
# the most measured steps of a job of each model: what its time limit and memory are sized for
STEP_LIMIT = {
    model: STEPS[model] if MAX_STEPS[model] is None else MAX_STEPS[model]
    for model in MODELS
}
SEEDS = [int(seed) for seed in sweep.canonical_grid("seeds", config["seeds"])]
G = sweep.canonical_grid("g", config["g"])
SIGMA_B = sweep.canonical_grid("sigma_b", config["sigma_b"])
# the LSTM's forget-gate bias means (optional key mu_f, default 0): one job per value
MU_F = sweep.canonical_grid("mu_f", config.get("mu_f", [0.0]))
DMFT_G = sweep.canonical_grid("dmft.g", config["dmft"]["g"])
DMFT_SIGMA_B = sweep.canonical_grid("dmft.sigma_b", config["dmft"]["sigma_b"])
G_BLOCKS = sweep.blocks(G, SIM["batch"]["g"])
SIGMA_B_BLOCKS = sweep.blocks(SIGMA_B, SIM["batch"]["sigma_b"])
DMFT_BLOCKS = sweep.blocks(DMFT_SIGMA_B, config["dmft"]["sigma_b_per_job"])
# the LSTM's mean field (optional key dmft_lstm): no key, no jobs
DMFT_LSTM = config.get("dmft_lstm")
DMFT_LSTM_G = sweep.canonical_grid("dmft_lstm.g", DMFT_LSTM["g"]) if DMFT_LSTM else []
DMFT_LSTM_SIGMA_B = (
    sweep.canonical_grid("dmft_lstm.sigma_b", DMFT_LSTM["sigma_b"]) if DMFT_LSTM else []
)
DMFT_LSTM_BLOCKS = (
    sweep.blocks(DMFT_LSTM_SIGMA_B, DMFT_LSTM["sigma_b_per_job"]) if DMFT_LSTM else []
)

if SIM["tasks"]["min"] > SIM["tasks"]["max"]:
    raise InputError(
        f"simulate.tasks.min={SIM['tasks']['min']} is larger than simulate.tasks.max={SIM['tasks']['max']}"
    )


def means_of(model):
    """The forget-gate bias means a model runs at: all of MU_F for a model with gates; 0 (if in
    MU_F) for one without, which has no gate biases (its other cells are not_applicable).
    """
    return MU_F if MODEL_TABLE[model].gates else [m for m in MU_F if m == 0]


def bias_mean_options(wc):
    """`eoc simulate --bias-mean` options of a job: mu_f and simulate.bias_means (gated models only)."""
    if not MODEL_TABLE[wc.model].gates:
        return ""
    means = {"f": float(wc.mu_f), **SIM.get("bias_means", {})}
    return "".join(
        f" --bias-mean {gate}={value}" for gate, value in means.items() if value
    )


def seeds_of(wc):
    """The seeds of a simulate job (its block label), as integers."""
    return sweep.block_values(wc.seed, SEEDS)


def points_of(wc):
    """(g, sigma_b) points per network of a simulate job."""
    return len(sweep.block_values(wc.g, G)) * len(
        sweep.block_values(wc.sigma_b, SIGMA_B)
    )


def tasks(model, N):
    """MPI ranks of a simulation of (model, N), from the memory of its weights."""
    return sweep.mpi_tasks(
        model,
        int(N),
        mb_per_task=SIM["tasks"]["mb_per_task"],
        min_tasks=SIM["tasks"]["min"],
        max_tasks=SIM["tasks"]["max"],
    )


def points_per_job():
    """(g, sigma_b) points per network of a full block."""
    return min(len(G), SIM["batch"]["g"]) * min(len(SIGMA_B), SIM["batch"]["sigma_b"])


def step_model(model, N):
    """The keywords of eoc.sweep.step_seconds for a job of (model, N) (config simulate.resources)."""
    resources = SIM["resources"]
    return dict(
        tasks=tasks(model, N),
        k=SIM["k"],
        gb_per_s_per_task=resources["gb_per_s_per_task"],
        gflops_per_task=resources["gflops_per_task"],
        step_overhead_ms=resources["step_overhead_ms"],
    )


def seeds_per_job(model, N):
    """Seeds per simulate job of (model, N): the job steps their networks together
    (eoc.simulate.networks); batch.seeds of them, or as many as fill batch.job_minutes.
    """
    return sweep.seeds_per_job(
        model,
        int(N),
        seeds=len(SEEDS),
        at_least=SIM["batch"].get("seeds", 1),
        job_minutes=SIM["batch"].get("job_minutes"),
        steps=STEP_LIMIT[model] + TRANSIENT[model],
        points=points_per_job(),
        **step_model(model, int(N)),
    )


# The engine's own checks and its memory estimate, on every (model, N) of the grid, before any
# job runs: a job that cannot fit on a node (simulate.resources.mb_per_node) never reaches sbatch.
NODE_MEMORY = (
    (SIM["resources"]["mb_per_node"] * memory.MiB, "simulate.resources.mb_per_node")
    if "mb_per_node" in SIM["resources"]
    # the machine's MemTotal, not the Slurm allocation of a job this Snakefile may be running in
    else memory.node_memory({}, total=True)
)
for _model in MODELS:
    for _N in NS:
        try:
            _checked = Options(
                model=_model,
                g=G,
                sigma_b=SIGMA_B,
                N=_N,
                seed=SEEDS[: seeds_per_job(_model, _N)],
                steps=STEPS[_model],
                transient=TRANSIENT[_model],
                k=SIM["k"],
                n_lags=SIM["n_lags"],
                target_stderr=TARGET_STDERR[_model],
                max_steps=MAX_STEPS[_model],
            )
            _checked.check_ranks(tasks(_model, _N))
            memory.check(
                memory.estimate(
                    model=_model,
                    N=_N,
                    ranks=tasks(_model, _N),
                    points=points_per_job(),
                    k=_checked.k,
                    steps=_checked.step_limit,
                    renorm_interval=_checked.renorm_interval,
                    dt=_checked.dt,
                    with_checkpoint=True,
                    networks=seeds_per_job(_model, _N),
                ),
                N=_N,
                ranks=tasks(_model, _N),
                dtype=_checked.dtype,
                available=NODE_MEMORY,
            )
        except InputError as error:
            raise InputError(
                f"config (simulate, model={_model}, N={_N}): {error}"
            ) from None


wildcard_constraints:
    model="|".join(MODEL_TABLE),
    N=r"[0-9]+",
    seed=sweep.BLOCK_PATTERN,
    g=sweep.BLOCK_PATTERN,
    sigma_b=sweep.BLOCK_PATTERN,
    mu_f=sweep.MEAN_PATTERN,


SIM_RESULT = "results/sim/{model}/N{N}/seed{seed}/g{g}_sb{sigma_b}_muf{mu_f}.nc"
DMFT_RESULT = "results/dmft/sb{sigma_b}.nc"
DMFT_LSTM_RESULT = "results/dmft_lstm/sb{sigma_b}.nc"


def checkpoint_of(result):
    """The checkpoint of a simulate job, next to its result (deleted when the job ends)."""
    return str(Path(result).with_suffix(".ckpt"))


def simulation_jobs():
    """One wildcard dict per simulate job: (model, mu_f, N) x blocks of seeds x blocks of g x blocks
    of sigma_b."""
    return [
        dict(
            model=model,
            N=N,
            seed=sweep.block_label(seed),
            g=sweep.block_label(g),
            sigma_b=sweep.block_label(s),
            mu_f=sweep.number_label(mu_f),
        )
        for model in MODELS
        for mu_f in means_of(model)
        for N in NS
        for seed in sweep.blocks(SEEDS, seeds_per_job(model, N))
        for g in G_BLOCKS
        for s in SIGMA_B_BLOCKS
    ]


def dmft_jobs():
    return [dict(sigma_b=sweep.block_label(s)) for s in DMFT_BLOCKS]


def dmft_lstm_jobs():
    return [dict(sigma_b=sweep.block_label(s)) for s in DMFT_LSTM_BLOCKS]


def dmft_lstm_options():
    """`eoc dmft --model lstm` solver options of config dmft_lstm.options."""
    options = (DMFT_LSTM or {}).get("options", {})
    return " ".join(
        f"--{name.replace('_', '-')} {value}" for name, value in options.items()
    )


def run_length(model):
    """`eoc simulate` options of the run length of a job of `model` (adaptive when configured)."""
    adaptive = (
        f" --target-stderr {TARGET_STDERR[model]!r} --max-steps {MAX_STEPS[model]}"
        if TARGET_STDERR[model] is not None
        else ""
    )
    return f"--steps {STEPS[model]} --transient {TRANSIENT[model]}{adaptive}"


def numbers(values):
    """Values for a command line, in the canonical format."""
    return " ".join(map(sweep.number_label, values))


def expect_options(axes):
    """`eoc merge --expect` options for the expected grid {dimension: values}."""
    return " ".join(
        f"--expect {name}=" + ",".join(map(str, values))
        for name, values in axes.items()
    )


# set for mpiexec: MPICH's launcher then leaves no topology file in /tmp when a job is killed
# (eoc.launcher.LAUNCHER_ENVIRONMENT)
LAUNCH_ENVIRONMENT = " ".join(
    f"{name}={shlex.quote(value)}" for name, value in LAUNCHER_ENVIRONMENT.items()
)


def run_or_record(command):
    """Shell text: run `command` (output to the log) writing {output.result}; if it fails, write
    the job's failure record there instead (see the top of this file), so the job succeeds.
    """
    return (
        f"{command} --out {{output.result}} > {{log}} 2>&1"
        ' || python -m eoc.merge.failures {output.result} "exit $?, see {log}"'
    )
