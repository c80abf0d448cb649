"""Mean-field (N = ∞) theories, one subpackage per model.

* :mod:`eoc.meanfield.rate` — the dynamical mean-field theory (DMFT) of the rate model
  (docs/science.md §3): static and chaotic solutions, C(τ), λ², λ_max.
"""
