"""Mean-field (N = ∞) theories, one subpackage per model.

* :mod:`eoc.meanfield.rate` — the dynamical mean-field theory (DMFT) of the rate model
  (docs/science.md §3): static and chaotic solutions, C(τ), λ², λ_max.
* :mod:`eoc.meanfield.lstm` — the mean-field theory of the full discrete-time LSTM (all four
  gates; docs/meanfield-lstm.md): C_h(τ), ⟨h²⟩, ⟨c²⟩, gate statistics, λ_max, onset g_c(σ_b).
"""
