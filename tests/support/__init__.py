"""Tools shared by the kit's tests and its maintainers (tests/support/parity.py)."""
