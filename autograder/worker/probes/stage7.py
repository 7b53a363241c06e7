"""Probes for stage 7 (Haiku): the shared Haiku probes register on import."""
from autograder.worker.probes import haiku_common  # noqa: F401 - registers the probes
