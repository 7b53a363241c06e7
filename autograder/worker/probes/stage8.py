"""Probes for stage 8 (Haiku + Optax): optimizers, compiled steps, and what fit feeds its steps.

Compilations are counted as autograder.worker.probes.training_common explains.
"""
from autograder.worker.probes import (
    block,
    haiku_common,  # noqa: F401 - registers the shared Haiku probes
    learner_attr,
    probe,
    to_framework,
    to_wire,
)
from autograder.worker.probes.training_common import Recorder as _Recorder
from autograder.worker.probes.training_common import is_jitted as _is_jitted
from autograder.worker.probes.training_common import traces as _traces


def _optax():
    import optax

    return optax


def _optimizer(name, learning_rate):
    optax = _optax()
    return {"sgd": optax.sgd, "adam": optax.adam}[name](learning_rate)


@probe
def optimizer_updates(module, learning_rate, params, grads):
    """The updates make_optimizer(learning_rate) gives for each gradient in `grads`, in turn."""
    optax = _optax()
    optimizer = learner_attr(module, "make_optimizer")(learning_rate)
    params = to_framework(params)
    state = optimizer.init(params)
    out = []
    for g in grads:
        updates, state = optimizer.update(to_framework(g), state, params)
        params = optax.apply_updates(params, updates)
        out.append(to_wire(block(updates)))
    return out


@probe
def train_step_run(module, optimizer, learning_rate, params, batches):
    """Run make_train_step(optax.<optimizer>(learning_rate)) over `batches`, threading opt_state.

    Returns per step the params after it, its loss and the traces it caused.
    """
    opt = _optimizer(optimizer, learning_rate)
    step = learner_attr(module, "make_train_step")(opt)
    params = to_framework(params)
    opt_state = opt.init(params)
    steps = []
    for X, Y in batches:
        before = _traces[0]
        out = block(step(params, opt_state, to_framework(X), to_framework(Y)))
        traces = _traces[0] - before
        if not isinstance(out, (tuple, list)) or len(out) != 3:
            return {"jitted": _is_jitted(step), "steps": steps,
                    "bad_return": type(out).__name__ + (f" of length {len(out)}"
                                                         if isinstance(out, (tuple, list)) else "")}
        params, opt_state, loss = out
        steps.append({"params": to_wire(params), "loss": to_wire(loss), "traces": traces})
    return {"jitted": _is_jitted(step), "steps": steps, "bad_return": None}


@probe
def is_jitted(module, attr):
    """Whether the submission's `attr` is a jax.jit-compiled function."""
    return _is_jitted(learner_attr(module, attr))


def _recording(make_train_step, recorder):
    import jax

    def make(optimizer):
        step = make_train_step(optimizer)

        def recording_step(params, opt_state, X, Y):
            leaves = jax.tree_util.tree_leaves((params, X, Y))
            if any(isinstance(x, jax.core.Tracer) for x in leaves):
                # fit traced its loop (jit, scan): record when the values exist.
                jax.debug.callback(recorder.record, params, X, Y, ordered=True)
            else:
                recorder.record(params, X, Y)
            return step(params, opt_state, X, Y)
        return recording_step
    return make


@probe
def fit_record(module, X, Y, key, learning_rate, epochs, batch_size):
    """Run fit with make_train_step wrapped to record each step's rows; return them and fit's."""
    original = learner_attr(module, "make_train_step")
    recorder = _Recorder(X, Y)
    module.make_train_step = _recording(original, recorder)
    try:
        result = block(learner_attr(module, "fit")(
            to_framework(X), to_framework(Y), key=to_framework(key),
            learning_rate=learning_rate, epochs=epochs, batch_size=batch_size))
    finally:
        module.make_train_step = original
    return {"calls": recorder.calls, "initial": recorder.initial, "final": to_wire(result)}
