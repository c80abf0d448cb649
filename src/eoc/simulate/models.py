"""The table of models: each model class carries its own facts, and this is the one list of them.

A model class (:class:`eoc.simulate.lstm.LSTM`, :class:`eoc.simulate.rate.RateModel`) is the batched
dynamics of one rank's units (``state``, ``tangents``, ``observed``, ``step()``, ``keep(mask)``,
``linearization``, ``global_rows``; see :mod:`eoc.simulate.engine`) and, as class attributes, the
facts that the options, the driver, the per-job file and the sweep read:

========================  =================================================================
``name``                  the model's name in options, paths and the ``model`` coordinate
``label``                 the model's name in figures
``state_per_unit``        state variables per unit (the state dimension is this times N)
``gates``                 names accepted by the per-gate options (``gate_gains``, ``bias_means``)
``weight_blocks``         the stacked blocks of the recurrent matrix (G·N × N)
``recorded_gates``        gates whose mean and std are recorded (``gate_values`` each step)
``products_per_step``     products with the recurrent matrix per step (job sizing)
``time_unit``             unit of time of the exponents and lags ("step" for a map)
``flow``                  a flow (Jacobian eigenvalues are rates; the engine interpolates returns
                          of the state between steps) or a map (eigenvalues are multipliers)
``dt_meaning``            what ``dt`` means for this model (CLI help)
``defaults``              default ``steps``, ``transient``, ``renorm_interval``
``initial_scale``         standard deviation of the initial state's entries
``check_time_step(dt)``   the model's time step for a requested ``dt`` (or InputError)
``point_gains(g, gate_gains)``  the gains array the dynamics takes, from the points' g
``build(...)``            the dynamics of given options on one rank
========================  =================================================================

A new model is one new module with such a class plus one entry here (docs/adding-a-model.md).
"""

from __future__ import annotations

from eoc.simulate.lstm import LSTM
from eoc.simulate.rate import RateModel

#: Every model, by name.
MODELS = {model.name: model for model in (LSTM, RateModel)}

#: The ``gate`` coordinate of the per-job and merged files: every model's recorded gates, in the
#: order of first appearance (a model without gates has NaN there).
RECORDED_GATES = tuple(dict.fromkeys(gate for model in MODELS.values() for gate in model.recorded_gates))
