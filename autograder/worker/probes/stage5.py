"""Stage 5 probes: the same vmap probe as stage 3 (`forward` now returns logits)."""
from autograder.worker.probes.stage3 import forward_calls_in_batched_forward  # noqa: F401 - registers it
