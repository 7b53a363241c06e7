"""Helpers of the kit's own tests that benchmarks use too (a pseudo-terminal driver)."""
