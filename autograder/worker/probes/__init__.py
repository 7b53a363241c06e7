"""Probes: small trusted routines the worker runs against a submission.

A probe takes the learner's module plus plain arguments from the grader and
returns plain data (NumPy arrays, numbers, strings, lists, dicts). It never
decides pass or fail: the grader does that in its own process. Stage-specific
probes live in `probes/stageN.py` and register themselves with `@probe`.
"""
import collections.abc
import types

import numpy as np

PROBES = {}
FRAMEWORK = "numpy"  # "jax" makes `call` hand jax arrays to the submission


def probe(fn):
    """Register `fn` under its own name."""
    PROBES[fn.__name__] = fn
    return fn


class MissingFunction(Exception):
    """The submission does not define a name the stage requires."""


def learner_attr(module, name):
    """The submission's `name`, or MissingFunction."""
    value = getattr(module, name, None)
    if value is None:
        raise MissingFunction(f"your file defines no `{name}`")
    return value


def _jax():
    import jax

    return jax


def is_jax_array(x):
    """True for a concrete jax.Array (never imports jax for a NumPy stage)."""
    return FRAMEWORK == "jax" and isinstance(x, _jax().Array)


def to_framework(x):
    """NumPy arrays from the grader -> jax arrays for a JAX stage, recursively."""
    if FRAMEWORK != "jax":
        return x
    if isinstance(x, np.ndarray):
        return _jax().device_put(x)  # a transfer: jnp.asarray may compile a program
    if isinstance(x, (list, tuple)):
        return type(x)(to_framework(v) for v in x)
    if isinstance(x, dict):
        return {k: to_framework(v) for k, v in x.items()}
    return x


def to_wire(x):
    """Plain data the grader's restricted unpickler accepts."""
    if isinstance(x, np.ndarray):
        return x if x.dtype != object else {"__opaque__": "object array"}
    if isinstance(x, np.generic):
        return np.asarray(x)
    if is_jax_array(x):
        return np.asarray(x)
    if isinstance(x, (bool, int, float, complex, str, type(None))):
        return x
    if isinstance(x, tuple) and hasattr(x, "_fields"):  # NamedTuple (optax states)
        return tuple(to_wire(v) for v in x)
    if isinstance(x, (list, tuple)):
        return type(x)(to_wire(v) for v in x)
    if isinstance(x, collections.abc.Mapping):
        return {str(k): to_wire(v) for k, v in x.items()}
    return {"__opaque__": type(x).__module__ + "." + type(x).__qualname__}


def leaf_types(x):
    """Flat list of the type names of the array leaves of `x`."""
    if isinstance(x, (list, tuple)):
        return [t for v in x for t in leaf_types(v)]
    if isinstance(x, collections.abc.Mapping):
        return [t for v in x.values() for t in leaf_types(v)]
    if is_jax_array(x):
        return ["jax.Array"]
    return [type(x).__module__ + "." + type(x).__qualname__]


def block(x):
    """Wait for asynchronous JAX work so that timing and errors land here."""
    if FRAMEWORK == "jax":
        return _jax().block_until_ready(x)
    return x


_NOT_COMPILED = set()  # functions that did not trace as one program: called as they are
_COMPILED = {}         # (function name, positions of static arguments) -> the jitted function
_CHECKED = set()       # (function name, what its inputs look like) whose trace was checked


class _NotOneProgram(Exception):
    """The function's trace differs from what it does called as it is."""


def _as_one_program(name, function, inputs):
    """`function(*inputs)` compiled whole with jax.jit: one program per shape, not one per
    operation. Python ints, bools, strings and None are static.

    Only where that changes nothing but speed: the first trace for each kind of
    input must leak no tracer (a global it writes) and return no value that is a
    constant of the trace (computed by NumPy or random.random, which jit would
    turn into a float32 JAX array); on that or any error the function is called
    as it is, now and from then on, so that what it returns or raises is its own.
    """
    if name in _NOT_COMPILED:
        return function(*inputs)
    jax = _jax()
    static = tuple(i for i, a in enumerate(inputs) if a is None or isinstance(a, (bool, int, str)))
    try:
        jitted = _COMPILED.get((name, static))
        if jitted is None:
            jitted = _COMPILED[(name, static)] = jax.jit(function, static_argnums=static)
        kind = (name, _input_kind(jax, inputs, static))
        if kind not in _CHECKED:
            with jax.checking_leaks():
                traced = jitted.trace(*inputs)  # the call below reuses this trace
            if _returns_a_constant(jax, traced.jaxpr):
                raise _NotOneProgram(name)
            _CHECKED.add(kind)
        return block(jitted(*inputs))
    except Exception:  # noqa: BLE001 - a trace that fails says nothing about the function
        _NOT_COMPILED.add(name)
        return function(*inputs)


def _input_kind(jax, inputs, static):
    """What decides the trace: the static values, and every other leaf's type, shape and dtype."""
    dynamic = [a for i, a in enumerate(inputs) if i not in static]
    leaves, tree = jax.tree_util.tree_flatten(dynamic)
    return (tuple(inputs[i] for i in static), str(tree),
            tuple((type(x).__name__, getattr(x, "shape", ()), str(getattr(x, "dtype", "")))
                  for x in leaves))


def _returns_a_constant(jax, traced):
    from jax.extend.core import Var

    constants = set(traced.jaxpr.constvars)
    return any(not isinstance(v, Var) or v in constants for v in traced.jaxpr.outvars)


@probe
def call(module, fn, args=(), kwargs=None, return_args=False, compile=False):
    """Call the submission's `fn` and return its value (and its args afterwards).

    `compile`: the grader knows `fn` is a pure array function; in a JAX stage it
    runs as one compiled program where it traces (see _as_one_program).
    """
    inputs = to_framework(tuple(args))
    function = learner_attr(module, fn)
    if compile and FRAMEWORK == "jax" and not kwargs:
        out = block(_as_one_program(fn, function, inputs))
    else:
        out = block(function(*inputs, **(kwargs or {})))
    reply = {"value": to_wire(out), "types": leaf_types(out)}
    if return_args:
        reply["args_after"] = to_wire(inputs)
    return reply


@probe
def defined_names(module):
    """Names the submission defines at top level, with their kind."""
    return {
        name: ("function" if isinstance(v, types.FunctionType) else type(v).__name__)
        for name, v in vars(module).items()
        if not name.startswith("__")
    }


@probe
def run_part(module, source, filename):
    """Run one notebook cell of the stage file at the top level of the submission's module.

    Used to find which cells of a notebook whose assembled file would not
    import run on their own (the kernel would have skipped the others).
    """
    exec(compile(source, filename, "exec"), vars(module))  # noqa: S102 - sandboxed learner code
