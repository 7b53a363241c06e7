"""Stage 3 probes: what `forward` sees when `batched_forward` runs.

The grader asks whether `batched_forward` is a jax.vmap of `forward`. The
probe reroutes every call of the submission's `forward` through a recorder,
runs `batched_forward` once, and reports what each call received; the grader
decides from that record.
"""
import types

import numpy as np

from autograder.worker.probes import learner_attr, probe, to_framework

PROBE_GLOBAL = "__autograder_forward_recorder__"
MAX_RECORDED_CALLS = 8


def _trampoline(*args, **kwargs):
    """Code swapped into `forward` so that references taken at import reach the recorder."""
    # The name is looked up in the learner's globals, where the probe puts the recorder.
    return __autograder_forward_recorder__(*args, **kwargs)  # noqa: F821


def describe_argument(value):
    """Plain facts about one argument: its type name, ndim, and whether vmap batches it."""
    import jax

    kind = type(value).__name__
    return {
        "type": kind,
        "ndim": int(np.ndim(value)) if not isinstance(value, jax.core.Tracer) else int(value.ndim),
        "tracer": isinstance(value, jax.core.Tracer),
        "batched": isinstance(value, jax.core.Tracer) and "Batch" in kind,
    }


def _swappable(function):
    """A plain Python function whose code can be replaced by the trampoline's."""
    return isinstance(function, types.FunctionType) and not function.__code__.co_freevars


def _copy_of(function):
    """A new function object running `function`'s original code."""
    copy = types.FunctionType(function.__code__, function.__globals__, function.__name__,
                              function.__defaults__, function.__closure__)
    copy.__kwdefaults__ = function.__kwdefaults__
    return copy


def _clear_jit_cache(function):
    """Make a jitted batched_forward trace again, so that its forward runs during the probe."""
    clear = getattr(function, "clear_cache", None)
    if callable(clear):
        clear()


@probe
def forward_calls_in_batched_forward(module, params, X, forward_name="forward",
                                     batched_name="batched_forward"):
    """Run batched_forward(*params, X) and report every call it made to the submission's forward.

    Two routes reach the recorder: the module global `forward` (looked up when
    batched_forward runs) and the code of the original function object (for a
    `batched_forward = jax.vmap(forward, ...)` built at import time).
    """
    original = learner_attr(module, forward_name)
    batched = learner_attr(module, batched_name)
    untouched = _copy_of(original) if _swappable(original) else original
    calls = []

    def recorder(*args, **kwargs):
        calls.append([describe_argument(a) for a in (*args, *kwargs.values())]
                     if len(calls) < MAX_RECORDED_CALLS else None)
        return untouched(*args, **kwargs)

    saved_code = original.__code__ if _swappable(original) else None
    module_globals = vars(module)
    try:
        module_globals[forward_name] = recorder
        if saved_code is not None:
            original.__globals__[PROBE_GLOBAL] = recorder
            original.__code__ = _trampoline.__code__
        _clear_jit_cache(batched)
        out = batched(*to_framework(tuple(params)), to_framework(X))
    finally:
        module_globals[forward_name] = original
        if saved_code is not None:
            original.__code__ = saved_code
            original.__globals__.pop(PROBE_GLOBAL, None)
    shapes = [list(np.shape(leaf)) for leaf in (out if isinstance(out, (tuple, list)) else (out,))]
    return {"count": len(calls), "calls": [c for c in calls if c is not None],
            "output_shapes": shapes}
