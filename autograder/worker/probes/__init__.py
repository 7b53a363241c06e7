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
        return _jax().numpy.asarray(x)
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


@probe
def call(module, fn, args=(), kwargs=None, return_args=False):
    """Call the submission's `fn` and return its value (and its args afterwards)."""
    inputs = to_framework(tuple(args))
    out = block(learner_attr(module, fn)(*inputs, **(kwargs or {})))
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
