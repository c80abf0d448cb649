"""The status vocabulary of a simulated cell: what the data show about its network, and why a
merged cell may have no data.

One table, used by the engine (which decides a run's status), the per-job and merged files (which
store it as CF integer flags: ``flag_values`` are the positions in :data:`SIMULATION`,
``flag_meanings`` the names) and the analysis (which chooses which cells to average).

A run's status claims only what its data show:

* ``chaotic`` — λ_max significantly positive (more than 3 standard errors above 0).
* ``fixed_point`` — the state settled (or contracts to a point, λ_max significantly negative).
* ``limit_cycle`` — positive evidence of a periodic attractor (the state recurs).
* ``undecided`` — none of the above is shown: the run was too short for a verdict.
* ``diverged`` — a non-finite state or tangent.

A merged cell without usable data says why:

* ``missing`` — no result file (the job did not run, or its program failed).
* ``unreadable`` — the file exists but cannot be read (truncated, empty, not netCDF).
* ``incomplete`` — the file lacks variables of the data contract.
* ``not_applicable`` — the cell is no point of its model: a forget-gate bias mean μ_f ≠ 0 for a
  model without gates (the rate model). No job is run for it and the merge does not list it
  among the missing cells (appended last, so the flag values of the other names are unchanged).
"""

from __future__ import annotations

#: Every status, in flag order (the flag value of a name is its index).
SIMULATION = (
    "chaotic",
    "fixed_point",
    "limit_cycle",
    "undecided",
    "diverged",
    "missing",
    "unreadable",
    "incomplete",
    "not_applicable",
)
#: Statuses that a run itself can report (the rest are given by the merge).
RUN = SIMULATION[:5]
#: Cells with no usable data.
NO_DATA = ("missing", "unreadable", "incomplete", "not_applicable")
#: Left out of quenched averages by default: fixed points and limit cycles at finite N are physics,
#: not failures, and dropping them would bias the average.
EXCLUDED_BY_DEFAULT = ("diverged", *NO_DATA)


def flag(name: str) -> int:
    """The CF flag value of a status name."""
    return SIMULATION.index(name)
