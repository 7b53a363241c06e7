"""Stage 6 probes: is a function jitted, does batched_forward vmap forward, does
train_step compile again? They gather facts; the checks in checks/stage6.py judge.
"""
import contextlib
import inspect
import sys
import types

import jax

from autograder.worker.probes import block, learner_attr, probe, to_framework

# JAX records this event each time it traces a jitted function into a jaxpr,
# that is, on every miss of the in-memory jit cache. We count traces rather
# than backend compilations: the worker's persistent compile cache can skip a
# backend compile, never a trace. jax.monitoring is public API with a matching
# unregister function, unlike `jitted._cache_size()`, which is private and
# exists only when the learner's function is itself a jax.jit object.
TRACE_EVENT = "/jax/core/compile/jaxpr_trace_duration"


@probe
def jit_status(module, names):
    """For each name: whether it is a jax.jit-compiled function, and its type."""
    status = {}
    for name in names:
        fn = learner_attr(module, name)
        jitted = callable(getattr(fn, "lower", None)) and callable(getattr(fn, "trace", None))
        status[name] = {"jitted": jitted, "type": type(fn).__module__ + "." + type(fn).__qualname__}
    return status


@contextlib.contextmanager
def counting_traces():
    """Collect the names of the functions JAX traces inside the block."""
    traced = []

    def listener(event, _duration, **metadata):
        if event == TRACE_EVENT:
            traced.append(str(metadata.get("fun_name", "?")))

    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        yield traced
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)


@probe
def traces_per_call(module, fn, args, alphas):
    """Call `fn(*args, alpha)` once per alpha; the functions traced during each call."""
    function = learner_attr(module, fn)
    inputs = to_framework(tuple(args))
    traced = []
    for alpha in alphas:
        with counting_traces() as names:
            block(function(*inputs, alpha))
        traced.append(list(names))
    return traced


def _python_code(fn):
    """The code object that runs when `fn` (possibly jitted or wrapped) is traced, or None."""
    target = inspect.unwrap(fn, stop=lambda f: isinstance(f, types.FunctionType))
    return target.__code__ if isinstance(target, types.FunctionType) else None


@contextlib.contextmanager
def recording_calls(code):
    """Record the second argument of every call of `code` (forward's x) inside the block.

    A profile hook sees the call however forward is referenced: through the
    module global (looked up at trace time) or captured by jax.vmap(forward)
    at import time. Nothing in the learner's module changes.
    """
    seen = []
    names = code.co_varnames[:code.co_argcount]
    previous = sys.getprofile()

    def hook(frame, event, _arg):
        if event == "call" and frame.f_code is code:
            x = frame.f_locals.get(names[1]) if len(names) > 1 else None
            try:
                shape = [int(n) for n in x.shape]
            except Exception:  # noqa: BLE001 - not an array: the grader reports the shape as None
                shape = None
            seen.append({"type": type(x).__name__, "shape": shape})

    sys.setprofile(hook)
    try:
        yield seen
    finally:
        sys.setprofile(previous)


def _count_equations(jaxpr):
    """Equations of a jaxpr, those of its sub-jaxprs (pjit, custom_jvp...) included."""
    total = 0
    for eqn in jaxpr.eqns:
        total += 1
        for value in eqn.params.values():
            for sub in value if isinstance(value, (tuple, list)) else (value,):
                inner = getattr(sub, "jaxpr", sub)  # ClosedJaxpr -> Jaxpr
                if hasattr(inner, "eqns"):
                    total += _count_equations(inner)
    return total


@probe
def batched_forward_structure(module, params, batches):
    """For each batch X: forward's calls while batched_forward is traced, and the program size.

    The grader passes shapes no other check uses, so that batched_forward is
    traced afresh here and not served from the jit cache.
    """
    batched = learner_attr(module, "batched_forward")
    code = _python_code(learner_attr(module, "forward"))
    params = to_framework(params)
    facts = []
    for X in batches:
        X = to_framework(X)
        if code is None:
            calls = None
            jaxpr = jax.make_jaxpr(batched)(params, X)
        else:
            with recording_calls(code) as calls:
                jaxpr = jax.make_jaxpr(batched)(params, X)
        facts.append({"calls": calls, "equations": _count_equations(jaxpr.jaxpr)})
    return facts
