"""Tools shared by the kit's tests, its benchmarks and its maintainers (terminal driver, parity)."""
