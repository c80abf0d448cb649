"""Benchmarks of the eoc package against the machine's limits and against PyTorch (not tests)."""
