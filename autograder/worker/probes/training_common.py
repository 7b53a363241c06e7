"""What the probes of the training stages (8 and 9) share: compile counting, jit detection,
and a record of which rows each train step of a `fit` received.

Compilations are counted with a jax.monitoring listener on the "jaxpr trace"
event. Tracing happens on every (re)compilation and, unlike the backend
compile event, also when the persistent compilation cache in .cache/ serves
the executable, so a warm cache cannot hide a retrace. The listener is
registered once, when the worker imports this module, before the submission.
"""
import numpy as np

from autograder.worker.probes import to_wire

TRACE_EVENT = "/jax/core/compile/jaxpr_trace_duration"
traces = [0]  # how many traces so far in this worker


def _count_traces(event, _duration, **_kwargs):
    if event == TRACE_EVENT:
        traces[0] += 1


def _register_listener():
    import jax

    jax.monitoring.register_event_duration_secs_listener(_count_traces)


_register_listener()


def is_jitted(fn):
    """jax.jit's and nnx.jit's wrappers have .lower and .trace; a plain function has neither."""
    return callable(getattr(fn, "lower", None)) and callable(getattr(fn, "trace", None))


class Recorder:
    """Remembers, for each call of a train step, which rows of X it was given."""

    def __init__(self, X, Y):
        self.X, self.Y = np.asarray(X), np.asarray(Y)
        self.row_of = {row.tobytes(): i for i, row in enumerate(self.X)}
        self.calls = []
        self.initial = None

    def record(self, params, X, Y, **facts):
        """Note the rows of this step's batch and `facts` about the call; keep the first params."""
        X, Y = np.asarray(X), np.asarray(Y)
        rows = [self.row_of.get(np.asarray(r, self.X.dtype).tobytes(), -1) for r in X]
        labels_follow = bool(all(r >= 0 for r in rows) and np.array_equal(Y, self.Y[rows]))
        if self.initial is None:
            self.initial = to_wire(params)
        self.calls.append({"rows": rows, "labels_follow": labels_follow, **facts})
