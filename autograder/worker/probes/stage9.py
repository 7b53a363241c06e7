"""Probes for stage 9 (Flax NNX): build the learner's modules, run their steps, follow fit.

A module cannot travel to the grader, so the probes build the learner's
`MLP(n_in, n_hidden, n_out, rngs=nnx.Rngs(seed))` here, overwrite its
`nnx.Param` arrays with the ones the grader sends, and send back plain data:
logits, losses, and the parameters as a nested dict of arrays
(`nnx.to_pure_dict` of the module's Param state, attribute names as keys),
in which the grader finds the two layers by shape.
"""
from autograder.worker.probes import block, learner_attr, probe, to_framework, to_wire
from autograder.worker.probes.training_common import Recorder, is_jitted, traces


def _nnx():
    from flax import nnx

    return nnx


def _type_name(value):
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


# ------------------------------------------------------------ the learner's modules

def params_of(model):
    """The model's nnx.Param arrays as a nested dict of NumPy arrays."""
    nnx = _nnx()
    return to_wire(nnx.to_pure_dict(nnx.state(model, nnx.Param)))


def _filled(pure, arrays):
    """`pure` (keys as Flax has them) with its leaves taken from `arrays` (keys as strings),
    or zeros of the same shapes when `arrays` is None."""
    import jax.numpy as jnp

    if isinstance(pure, dict):
        return {key: _filled(value, None if arrays is None else arrays[str(key)])
                for key, value in pure.items()}
    return jnp.zeros(pure.shape, pure.dtype) if arrays is None else jnp.asarray(arrays)


def load_params(model, params):
    """Overwrite the model's nnx.Param arrays with `params` (as params_of gives them), or zeros."""
    nnx = _nnx()
    state = nnx.state(model, nnx.Param)
    nnx.replace_by_pure_dict(state, _filled(nnx.to_pure_dict(state), params))
    nnx.update(model, state)


def _abstract(build):
    """build() under nnx.eval_shape, its arrays only shapes and dtypes, or None where that fails.

    Drawing initial weights compiles a dozen small programs for each new size; a
    model whose weights are overwritten anyway needs only its structure.
    """
    try:
        return _nnx().eval_shape(build)
    except Exception:  # noqa: BLE001 - built for real instead, where its own errors show
        return None


def _is_concrete(model):
    import jax

    leaves = jax.tree_util.tree_leaves(_nnx().state(model))
    return not any(isinstance(leaf, jax.ShapeDtypeStruct) for leaf in leaves)


_PROTOTYPES = {}  # (learner module, sizes) -> a model of the learner's MLP to clone


def _prototype(module, sizes):
    """The learner's MLP(*sizes, rngs=nnx.Rngs(0)), made once per size: built abstractly, its
    params zeros, where its state is nothing but params; else built for real."""
    nnx = _nnx()
    key = (id(module), tuple(sizes))
    if key not in _PROTOTYPES:
        def build():
            return learner_attr(module, "MLP")(*sizes, rngs=nnx.Rngs(0))

        prototype = _abstract(build)
        if prototype is not None:
            load_params(prototype, None)
        if prototype is None or not _is_concrete(prototype):
            prototype = build()
        _PROTOTYPES[key] = prototype
    return _PROTOTYPES[key]


def _model(module, sizes, params=None, seed=0):
    """The learner's MLP(*sizes, rngs=nnx.Rngs(seed)); holding `params`, if given, in a copy
    of its prototype (only then are the initial weights not drawn)."""
    nnx = _nnx()
    if params is None:
        return learner_attr(module, "MLP")(*sizes, rngs=nnx.Rngs(seed))
    model = nnx.clone(_prototype(module, sizes))
    load_params(model, params)
    return model


@probe
def mlp_params(module, sizes, seed=0, values=True):
    """What MLP(*sizes, rngs=nnx.Rngs(seed)) is, and its nnx.Param arrays (unless `values`,
    only their structure: zeros, or whatever values its prototype holds)."""
    nnx = _nnx()
    mlp_class = learner_attr(module, "MLP")
    model = _model(module, sizes, seed=seed) if values else _prototype(module, sizes)
    return {"class_is_module": isinstance(mlp_class, type) and issubclass(mlp_class, nnx.Module),
            "params": params_of(model)}


_COMPILED = {}  # id of a function -> (the function, kept alive; nnx.jit of it)


def _compiled(fn):
    """nnx.jit(fn), made once: one compiled program per shape instead of one per operation."""
    if id(fn) not in _COMPILED:
        _COMPILED[id(fn)] = (fn, _nnx().jit(fn))
    return _COMPILED[id(fn)][1]


def _call_model(model, X):
    return model(X)


@probe
def mlp_call(module, sizes, params, X):
    """model(X) for the learner's MLP holding `params` (under nnx.jit)."""
    model = _model(module, sizes, params)
    return to_wire(block(_compiled(_call_model)(model, to_framework(X))))


@probe
def loss_call(module, sizes, params, X, Y):
    """loss_fn(model, X, Y) for the learner's MLP holding `params` (under nnx.jit, as in a step)."""
    model = _model(module, sizes, params)
    loss_fn = _compiled(learner_attr(module, "loss_fn"))
    return to_wire(block(loss_fn(model, to_framework(X), to_framework(Y))))


# ------------------------------------------------------------ the optimizer and the step

@probe
def optimizer_updates(module, sizes, params, learning_rate, grads):
    """Apply make_optimizer(model, learning_rate) to each gradient in `grads` in turn.

    Returns what the optimizer is and the model's params after each update.
    """
    nnx = _nnx()
    model = _model(module, sizes, params)
    optimizer = learner_attr(module, "make_optimizer")(model, learning_rate)
    facts = {"type": _type_name(optimizer), "params": []}
    if not isinstance(optimizer, nnx.Optimizer) or isinstance(optimizer, nnx.ModelAndOptimizer):
        return facts  # its update() would not take (model, grads): the grader says why
    for g in grads:
        gradient = nnx.state(_model(module, sizes, g), nnx.Param)
        optimizer.update(model, gradient)
        facts["params"].append(params_of(model))
    return facts


def _optax_optimizer(name, learning_rate):
    import optax

    return {"sgd": optax.sgd, "adam": optax.adam}[name](learning_rate)


def _step_kind(step):
    return {"type": _type_name(step), "jitted": is_jitted(step)}


@probe
def train_step_run(module, sizes, params, optimizer, learning_rate, batches):
    """Call train_step(model, opt, X, Y) on each batch, with one model and one
    nnx.Optimizer(model, optax.<optimizer>(learning_rate), wrt=nnx.Param).

    Returns per call what it returned, the params and the optimizer's step
    count after it, and how many traces it caused.
    """
    nnx = _nnx()
    model = _model(module, sizes, params)
    opt = nnx.Optimizer(model, _optax_optimizer(optimizer, learning_rate), wrt=nnx.Param)
    step = learner_attr(module, "train_step")
    calls = []
    for X, Y in batches:
        before = traces[0]
        out = step(model, opt, to_framework(X), to_framework(Y))
        calls.append({"returned": to_wire(out), "traces": traces[0] - before,
                      "params": params_of(model), "optimizer_step": to_wire(opt.step[...])})
    return {"step": _step_kind(step), "calls": calls}


# ------------------------------------------------------------ predict, evaluate

@probe
def predict_run(module, sizes, params, X):
    """predict(model, X) twice on the same model and batch, with the traces each call caused."""
    model = _model(module, sizes, params)
    predict = learner_attr(module, "predict")
    values, counts = [], []
    for _ in range(2):
        before = traces[0]
        values.append(to_wire(block(predict(model, to_framework(X)))))
        counts.append(traces[0] - before)
    return {"value": values[0], "traces": counts, "step": _step_kind(predict)}


@probe
def evaluate_call(module, sizes, params, X, Y):
    """evaluate(model, X, Y) for the learner's MLP holding `params`."""
    model = _model(module, sizes, params)
    return to_wire(block(learner_attr(module, "evaluate")(model, to_framework(X), to_framework(Y))))


# ------------------------------------------------------------ split_model, pure_forward

def _split(module, model):
    """(graphdef, state) from the learner's split_model, or (None, facts about what came back)."""
    nnx = _nnx()
    out = learner_attr(module, "split_model")(model)
    facts = {"type": _type_name(out),
             "length": len(out) if isinstance(out, (tuple, list)) else None}
    if facts["length"] == 2:
        facts["parts"] = [_type_name(part) for part in out]
        if isinstance(out[0], nnx.GraphDef) and isinstance(out[1], nnx.State):
            facts["split_ok"] = True
            return out, facts
    return None, facts


@probe
def split_run(module, sizes, params, X):
    """What split_model(model) returns; the params in its state, the logits of nnx.merge of it."""
    nnx = _nnx()
    model = _model(module, sizes, params)
    parts, facts = _split(module, model)
    if parts is not None:
        graphdef, state = parts
        facts["state_params"] = to_wire(nnx.to_pure_dict(state.filter(nnx.Param)))
        facts["merged_logits"] = to_wire(block(nnx.merge(graphdef, state)(to_framework(X))))
        facts["model_after"] = params_of(model)
    return facts


@probe
def pure_forward_run(module, sizes, params, other_params, X):
    """pure_forward on a model's split, twice, then with the state of another model's split."""
    model = _model(module, sizes, params)
    parts, facts = _split(module, model)
    if parts is None:
        return facts
    graphdef, state = parts
    pure_forward = learner_attr(module, "pure_forward")
    X = to_framework(X)
    facts["first"] = to_wire(block(pure_forward(graphdef, state, X)))
    facts["again"] = to_wire(block(pure_forward(graphdef, state, X)))
    other, _ = _split(module, _model(module, sizes, other_params))
    facts["other"] = to_wire(block(pure_forward(graphdef, other[1], X)))
    facts["model_after"] = params_of(model)
    return facts


def _attempt(run):
    """{"value": run()} or {"error": what it raised, in one line}."""
    try:
        return {"value": to_wire(block(run()))}
    except Exception as exc:  # noqa: BLE001 - the grader reports which transformation failed
        message = (str(exc).strip().splitlines() or [""])[0][:300]
        return {"error": f"{type(exc).__name__}: {message}"}


@probe
def pure_forward_transforms(module, sizes, params, X, Xs, C):
    """jax.jit, jax.vmap (over a leading axis of Xs) and jax.grad (of sum(logits * C) with
    respect to the state's nnx.Param arrays) applied to the learner's pure_forward, as they are."""
    import jax
    import jax.numpy as jnp

    nnx = _nnx()
    parts, facts = _split(module, _model(module, sizes, params))
    if parts is None:
        return facts
    graphdef, state = parts
    pure_forward = learner_attr(module, "pure_forward")
    X, Xs, C = to_framework(X), to_framework(Xs), to_framework(C)
    facts["jit"] = _attempt(lambda: jax.jit(pure_forward, static_argnums=0)(graphdef, state, X))
    facts["vmap"] = _attempt(
        lambda: jax.vmap(pure_forward, in_axes=(None, None, 0))(graphdef, state, Xs))
    trainable, rest = nnx.split_state(state, nnx.Param, ...)  # rest: anything else, held fixed

    def weighted_logits(trainable):
        return jnp.sum(pure_forward(graphdef, nnx.merge_state(trainable, rest), X) * C)

    facts["grad"] = _attempt(lambda: nnx.to_pure_dict(jax.grad(weighted_logits)(trainable)))
    return facts


# ------------------------------------------------------------ fit

def _recording(step, recorder):
    """`step` wrapped to note each call's rows, params before it and which objects it was given."""
    import jax

    nnx = _nnx()
    seen = {"model": [], "optimizer": []}  # kept alive, so that no two objects share an index

    def index(kind, obj):
        known = seen[kind]
        for number, other in enumerate(known):
            if other is obj:
                return number
        known.append(obj)
        return len(known) - 1

    def recording_step(model, optimizer, X, Y):
        facts = {"model": index("model", model), "optimizer": index("optimizer", optimizer)}
        params = nnx.to_pure_dict(nnx.state(model, nnx.Param))
        leaves = jax.tree_util.tree_leaves((params, X, Y))
        if any(isinstance(x, jax.core.Tracer) for x in leaves):
            # fit traced its loop: record when the values exist.
            jax.debug.callback(lambda p, x, y: recorder.record(p, x, y, **facts), params, X, Y,
                               ordered=True)
        else:
            recorder.record(params, X, Y, **facts)
        return step(model, optimizer, X, Y)
    return recording_step, seen


@probe
def fit_record(module, X, Y, seed, learning_rate, epochs, batch_size):
    """Run fit with train_step wrapped to record each step; the record and fit's result."""
    nnx = _nnx()
    original = learner_attr(module, "train_step")
    recorder = Recorder(X, Y)
    module.train_step, seen = _recording(original, recorder)
    try:
        result = learner_attr(module, "fit")(
            to_framework(X), to_framework(Y), seed=seed, learning_rate=learning_rate,
            epochs=epochs, batch_size=batch_size)
    finally:
        module.train_step = original
    returned = {"type": _type_name(result),
                "stepped": any(result is model for model in seen["model"])}
    if isinstance(result, nnx.Module):
        returned["params"] = params_of(result)
    return {"calls": recorder.calls, "initial": recorder.initial, "returned": returned}


@probe
def fit_params(module, X, Y, seed, **settings):
    """The params of the model fit returns (or what it returned instead)."""
    result = learner_attr(module, "fit")(to_framework(X), to_framework(Y), seed=seed, **settings)
    if isinstance(result, _nnx().Module):
        return {"params": params_of(result)}
    return {"type": _type_name(result)}
