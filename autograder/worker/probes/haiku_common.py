"""Probes shared by the Haiku stages (7 and 8): build, init and apply the learner's MLP.

Parameters travel as nested dicts of arrays (module name -> {name: array}),
whatever names the learner's modules give them; the grader finds the layers.
Init and apply run under jax.jit, as Haiku functions are meant to: one
compiled program per shape instead of dozens of small ones, op by op.
"""
import numpy as np

from autograder.worker.probes import block, learner_attr, probe, to_framework, to_wire


def _jax():
    import jax

    return jax


def _haiku():
    import haiku as hk

    return hk


_COMPILED = {}  # (module id, n_hidden, n_out) -> jitted (init, apply), reused across calls


def _sized_model(module, n_hidden, n_out):
    """Jitted init and apply of hk.transform of the learner's MLP(n_hidden, n_out), no apply rng."""
    key = (id(module), n_hidden, n_out)
    if key not in _COMPILED:
        hk = _haiku()
        mlp_class = learner_attr(module, "MLP")
        model = hk.without_apply_rng(hk.transform(lambda x: mlp_class(n_hidden, n_out)(x)))
        _COMPILED[key] = (_jax().jit(model.init), _jax().jit(model.apply))
    return _COMPILED[key]


def _model(module):
    """Jitted init and apply of the learner's `model`."""
    key = (id(module), "model")
    if key not in _COMPILED:
        model = learner_attr(module, "model")
        _COMPILED[key] = (_jax().jit(model.init), _jax().jit(model.apply))
    return _COMPILED[key]


@probe
def module_facts(module):
    """Whether MLP subclasses hk.Module and what `model` is."""
    hk = _haiku()
    mlp_class = learner_attr(module, "MLP")
    model = learner_attr(module, "model")
    return {
        "mlp_is_module": isinstance(mlp_class, type) and issubclass(mlp_class, hk.Module),
        "model_type": type(model).__module__ + "." + type(model).__qualname__,
        "model_has_init_apply": callable(getattr(model, "init", None))
        and callable(getattr(model, "apply", None)),
    }


@probe
def model_init(module, key, X):
    """The learner's model.init(key, X)."""
    init, _apply = _model(module)
    return to_wire(block(init(to_framework(key), to_framework(X))))


@probe
def model_apply(module, params, X):
    """The learner's model.apply(params, X)."""
    _init, apply = _model(module)
    return to_wire(block(apply(to_framework(params), to_framework(X))))


@probe
def init_sized(module, key, n_in, n_hidden, n_out):
    """Parameters of the learner's MLP(n_hidden, n_out), initialised on a (1, n_in) batch."""
    init, _apply = _sized_model(module, n_hidden, n_out)
    x = np.zeros((1, n_in), np.float32)
    return to_wire(block(init(to_framework(key), to_framework(x))))


@probe
def apply_sized(module, n_hidden, n_out, params, X):
    """The learner's MLP(n_hidden, n_out) applied with the given parameters."""
    _init, apply = _sized_model(module, n_hidden, n_out)
    return to_wire(block(apply(to_framework(params), to_framework(X))))
