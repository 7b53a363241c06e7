"""Stage 4 probes: is a function jitted, what a call compiles, what escapes a trace.

How compilations are counted: JAX records the event
"/jax/core/compile/jaxpr_trace_duration" through the public `jax.monitoring`
API each time it traces a Python function to compile it, with the function's
name. A trace is exactly what `chex.assert_max_traces` (used in Optax's tests)
counts, but it works on a submission's already-jitted function, names what was
traced, and is unaffected by the persistent compilation cache (which can skip
the XLA compile of a retraced function, never the trace itself).
`jitted._cache_size()` would be private, and `jax.log_compiles` only logs.
"""
import contextlib
import io
import re
import sys

import jax

from autograder.worker.probes import block, learner_attr, probe, to_framework

TRACE_EVENT = "/jax/core/compile/jaxpr_trace_duration"
TRACER_TEXT = re.compile(r"\w*Tracer\([^()]*\)|Traced<[^<>]*>")  # JitTracer(float32[3]), Traced<...>
_recording = []  # the list of traced names being filled, if any


def _on_event(event, _duration, **kwargs):
    if event == TRACE_EVENT and _recording:
        _recording[-1].append(str(kwargs.get("fun_name", "?")))


jax.monitoring.register_event_duration_secs_listener(_on_event)


@contextlib.contextmanager
def _traces():
    """Collect the names of the functions JAX traces inside the block."""
    names = []
    _recording.append(names)
    try:
        yield names
    finally:
        _recording.pop()


def _is_jitted(fn):
    return isinstance(fn, jax.stages.Wrapped) and callable(getattr(fn, "lower", None))


def _run_recorded(fn, args, kwargs, trace_only=False):
    """Call fn (or only trace it, when it is jitted and trace_only is set); return what
    it traced and the tracer reprs it printed."""
    if trace_only and _is_jitted(fn):
        fn = fn.trace  # the same tracing as a first call, without the XLA compile
    printed = io.StringIO()
    with _traces() as traced:
        try:
            with contextlib.redirect_stdout(printed):
                block(fn(*to_framework(tuple(args)), **(kwargs or {})))
        finally:
            sys.stderr.write(printed.getvalue())  # keep the learner's output in the log
    return {"traced": traced, "printed_tracers": TRACER_TEXT.findall(printed.getvalue())[:3]}


def _count_tracers(value, depth=2):
    if isinstance(value, jax.core.Tracer):
        return 1
    if depth == 0:
        return 0
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple, set, frozenset)):
        return sum(_count_tracers(v, depth - 1) for v in list(value)[:1000])
    return 0


def _tracers_in_globals(module):
    """{global name: how many tracers it holds}, for the globals that hold any."""
    counts = {name: _count_tracers(value) for name, value in vars(module).items()
              if not name.startswith("__")}
    return {name: n for name, n in counts.items() if n}


@probe
def compile_report(module, fn, calls, trace_only=False):
    """Call the submission's `fn` once per (args, kwargs) in `calls`, recording each call's
    traces; also whether `fn` is a jax.jit function and which globals hold tracers before
    and after the calls."""
    function = learner_attr(module, fn)
    report = {"jitted": _is_jitted(function), "type": type(function).__name__, "calls": [],
              "tracers_before": _tracers_in_globals(module)}
    for args, kwargs in calls:
        report["calls"].append(_run_recorded(function, args, kwargs, trace_only))
    report["tracers_after"] = _tracers_in_globals(module)
    return report


@probe
def top_level_primitives(module, fn, args):
    """The primitives of the outermost jaxpr of a call of `fn`: one `jit` when it is one program."""
    function = learner_attr(module, fn)
    # Python numbers (alpha) stay Python numbers, as in a real call, so that a static alpha
    # is no reason to fail here.
    static = tuple(i for i, a in enumerate(args) if isinstance(a, (int, float)))
    jaxpr = jax.make_jaxpr(function, static_argnums=static)(*to_framework(tuple(args)))
    return [eqn.primitive.name for eqn in jaxpr.jaxpr.eqns]


@probe
def train_step_calls(module, args):
    """How many times gradient_descent(*args) calls the module's train_step, in a Python
    loop or while JAX traces a compiled loop (the caches are cleared if need be, so that
    such a loop traces again)."""
    original = learner_attr(module, "train_step")
    count = [0]

    def counting(*a, **k):
        count[0] += 1
        return original(*a, **k)

    module.train_step = counting
    try:
        gradient_descent = learner_attr(module, "gradient_descent")
        block(gradient_descent(*to_framework(tuple(args))))
        if count[0] == 0:  # perhaps a compiled loop that had already been traced
            jax.clear_caches()
            block(gradient_descent(*to_framework(tuple(args))))
    finally:
        module.train_step = original
    return count[0]
