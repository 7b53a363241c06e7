"""Stage 8 (Haiku + Optax): the optimizer, a compiled train step for any optimizer, fit.

fit is followed step by step: a probe wraps make_train_step while fit runs
and records which rows of X each step received (every row of the test X is
distinct), so the checks can tell a full batch from minibatches, a fresh
shuffle from a discarded one, and replay the same steps with the reference.
"""
import numpy as np

from autograder.checks import common
from autograder.checks.compare import as_array, expect_close, expect_shape
from autograder.checks.fit_common import (
    FIT_BATCH,
    FIT_LEARNING_RATE,
    FIT_N_IN,
    batch_order_checks,
    expect_recorded_steps,
    fit_problem,
    orders,
    training_checks,
)
from autograder.checks.haiku_common import (  # noqa: F401 - the check_* names are the registry
    Trees,
    check_apply_reference,
    check_apply_returns_logits,
    check_init_param_shapes,
    check_loss_fn_large_logits,
    check_loss_fn_reference,
    check_module_structure,
    default_networks,
    expect_layers_close,
    learner_arrays,
)
from autograder.checks.param_trees import (
    DEFAULT_HIDDEN,
    DEFAULT_OUT,
    flatten,
    layer_shapes,
    logits,
    mean_cross_entropy,
)
from autograder.grading.context import to_numpy
from autograder.grading.failures import CheckFailed

# ------------------------------------------------------------ make_optimizer

def check_make_optimizer_sgd(ctx):
    """Check that make_optimizer(lr) is plain SGD: every update is -lr * grad, step after step."""
    rng = np.random.default_rng(3)
    params = {"mlp/linear": {"w": rng.normal(size=(3, 4)).astype(ctx.dtype),
                             "b": rng.normal(size=4).astype(ctx.dtype)}}
    grads = [{"mlp/linear": {"w": rng.normal(size=(3, 4)).astype(ctx.dtype),
                             "b": rng.normal(size=4).astype(ctx.dtype)}} for _ in range(3)]
    for lr in (0.3, 0.02):
        updates = ctx.sub.probe("optimizer_updates", function="make_optimizer",
                                learning_rate=lr, params=params, grads=grads)
        for step, (got, g) in enumerate(zip(updates, grads), start=1):
            for path, grad in flatten(g):
                value = dict(flatten(got)).get(path) if isinstance(got, dict) else None
                what = f"update {step} of make_optimizer({lr}) for {'/'.join(path)}"
                if value is None:
                    raise CheckFailed(f"{what} is missing from the updates")
                _explain_not_sgd(as_array(value, what), grad, lr, step)
                expect_close(value, -lr * grad.astype(np.float64), what)


def _explain_not_sgd(got, grad, lr, step):
    if got.shape != grad.shape or np.allclose(got, -lr * grad, rtol=2e-4, atol=2e-5):
        return
    if np.allclose(got, lr * grad, rtol=2e-4, atol=2e-5):
        raise CheckFailed("the updates are +lr * grad: they would climb the loss",
                          advice="optax.sgd(lr) already negates; optax.scale(lr) alone does not")
    if np.allclose(np.abs(got), lr, rtol=1e-2) and step == 1:
        raise CheckFailed("the first update is about ±lr for every entry: that is Adam, not SGD",
                          advice="SPEC asks for plain SGD: optax.sgd(learning_rate)")
    if step > 1:
        raise CheckFailed(f"update {step} is not -lr * grad: the optimizer remembers earlier "
                          "gradients (momentum?)", advice="plain SGD has no memory: optax.sgd(lr) "
                          "without momentum")
    raise CheckFailed(f"the first update is not -{lr} * grad", advice="make_optimizer(lr) should be "
                      "optax.sgd(lr), using the learning rate it is given")


# ------------------------------------------------------------ make_train_step

def _default_arrays(ctx, rng, n_in=3):
    """(w1, b1, w2, b2) of the default model, uniform on [-1, 1)."""
    return [rng.uniform(-1, 1, shape).astype(ctx.dtype)
            for shape in layer_shapes(n_in, DEFAULT_HIDDEN, DEFAULT_OUT).values()]


def _step_case(ctx, seed, m=5):
    """Default-size layer arrays and a few batches of (X, Y) for n_in = 3."""
    rng = np.random.default_rng(ctx.fixed_seed(seed))
    arrays = _default_arrays(ctx, rng)
    batches = [(rng.uniform(-2, 2, (m, 3)).astype(ctx.dtype),
                rng.integers(0, 10, m).astype(np.int32)) for _ in range(3)]
    return arrays, batches


def _run_steps(ctx, optimizer, learning_rate, seed=0, steps=3):
    """(the learner's run, the reference's steps, the batches) from the same start."""
    trees = Trees(ctx)
    arrays, batches = _step_case(ctx, seed)
    batches = batches[:steps]
    got = ctx.sub.probe("train_step_run", function="make_train_step", optimizer=optimizer,
                        learning_rate=learning_rate, params=trees.learner_params(*arrays),
                        batches=batches)
    if got["bad_return"]:
        raise CheckFailed("train_step should return (params, opt_state, loss)",
                          f"got {got['bad_return']}")
    expected = ctx.reference_value(
        "train_steps", lambda: _reference_steps(ctx, trees, optimizer, learning_rate, arrays, batches),
        optimizer, learning_rate, arrays, batches)
    return got, expected, batches


def _reference_steps(ctx, trees, optimizer, learning_rate, arrays, batches):
    """The reference's params and loss along `batches`, from layer `arrays`."""
    import optax

    opt = {"sgd": optax.sgd, "adam": optax.adam}[optimizer](learning_rate)
    step = ctx.ref.make_train_step(opt)
    params = trees.reference_params(*arrays)
    state = opt.init(params)
    expected = []
    for X, Y in batches:
        loss_before = mean_cross_entropy(logits(*trees.reference_arrays(to_numpy(params), 3), X), Y)
        params, state, _loss = step(params, state, X, Y)
        expected.append({"arrays": trees.reference_arrays(to_numpy(params), 3), "loss": loss_before})
    return expected


def _expect_same_steps(got, expected, what):
    for number, (g, e) in enumerate(zip(got["steps"], expected), start=1):
        expect_layers_close(g["params"], e["arrays"], 3,
                            f"the params after step {number} of {what}")


def check_train_step_sgd(ctx):
    """Check that make_train_step(optax.sgd(lr)) takes the reference's SGD steps."""
    got, expected, batches = _run_steps(ctx, "sgd", 0.3)
    try:
        _expect_same_steps(got, expected, "train_step with optax.sgd(0.3)")
    except CheckFailed as exc:
        exc.inputs = {"batch X of step 1": batches[0][0], "batch Y of step 1": batches[0][1]}
        raise


def check_train_step_adam(ctx):
    """Check that make_train_step works for a stateful optimizer (Adam): opt_state is threaded."""
    got, expected, batches = _run_steps(ctx, "adam", 0.05)
    try:
        _expect_same_steps(got, expected, "train_step with optax.adam(0.05)")
    except CheckFailed as exc:
        exc.inputs = {"batch X of step 1": batches[0][0], "batch Y of step 1": batches[0][1]}
        exc.detail = ((exc.detail or "") + "\nwith Adam the step depends on opt_state: use the "
                      "state optimizer.update returns, and return it").strip()
        raise


def check_train_step_loss(ctx):
    """Check that train_step's loss is that of the params passed in, not of the updated ones."""
    got, expected, batches = _run_steps(ctx, "sgd", 0.3, seed=1, steps=2)
    for number, (g, e, (X, Y)) in enumerate(zip(got["steps"], expected, batches), start=1):
        loss = common.expect_scalar(g["loss"], f"the loss of step {number}")
        after = mean_cross_entropy(logits(*e["arrays"], X), Y)
        if np.isclose(loss, after, rtol=2e-4) and not np.isclose(e["loss"], after, rtol=1e-3):
            raise CheckFailed(f"step {number} returned the loss AFTER the update",
                              f"the params passed in have loss {e['loss']:.6g}; you returned "
                              f"{loss:.6g}, the loss of the new params")
        expect_close(np.float32(loss), np.float64(e["loss"]), f"the loss of step {number}")


def check_train_step_compiled(ctx):
    """Check that train_step is jitted and does not compile again for the same shapes."""
    got, _expected, _batches = _run_steps(ctx, "sgd", 0.3, seed=2)
    retraced = [i for i, s in enumerate(got["steps"][1:], start=2) if s["traces"]]
    if retraced:
        raise CheckFailed(f"train_step was traced and compiled again on call {retraced[0]}, "
                          "with the same shapes as call 1",
                          advice="create jitted functions once, in make_train_step, never inside the "
                          "step; keep Python values that change out of the traced arguments")
    if not got["jitted"]:
        raise CheckFailed("make_train_step returned a function that is not jitted",
                          advice="decorate the inner train_step with @jax.jit and return it")


# ------------------------------------------------------------ predict, evaluate

def check_predict_classes(ctx):
    """Check that predict returns the class index of each row (the argmax of the logits)."""
    trees = Trees(ctx)

    def prop(w1, b1, w2, b2, X, Y):
        Z = logits(w1, b1, w2, b2, X)
        if np.any(np.diff(np.sort(Z, axis=1)[:, -2:]) < 1e-3):
            return  # a near tie: float32 may pick either class
        got = ctx.sub.call("predict", trees.learner_params(w1, b1, w2, b2), X)
        expected = np.argmax(Z, axis=1)
        array = as_array(got, "predict(params, X)")
        if array.shape == Z.shape:
            raise CheckFailed(f"predict returned an array of shape {array.shape}: scores per "
                              "class, not one class per example",
                              advice="return jnp.argmax(logits, axis=1)")
        got = expect_shape(got, expected.shape, "predict(params, X)")
        if not np.issubdtype(got.dtype, np.integer):
            raise CheckFailed(f"predict(params, X) has dtype {got.dtype}, expected integer classes")
        expect_close(got, expected, "predict(params, X)")
    ctx.forall(default_networks(ctx.dtype), prop, examples=8)


def check_predict_jitted(ctx):
    """Check that predict runs and is compiled with jax.jit."""
    rng = np.random.default_rng(4)
    X = rng.uniform(-1, 1, (2, 3)).astype(ctx.dtype)
    ctx.sub.call("predict", Trees(ctx).learner_params(*_default_arrays(ctx, rng)), X)
    if not ctx.sub.probe("is_jitted", function="predict", attr="predict"):
        raise CheckFailed("predict is not jitted", advice="decorate it with @jax.jit")


def check_evaluate(ctx):
    """Check that evaluate is the fraction of rows whose predicted class is the label."""
    trees = Trees(ctx)
    rng = np.random.default_rng(9)
    arrays = _default_arrays(ctx, rng)
    X = rng.uniform(-2, 2, (7, 3)).astype(ctx.dtype)
    predicted = np.argmax(logits(*arrays, X), axis=1)
    Y = np.where(np.arange(7) % 2 == 0, predicted, (predicted + 1) % 10).astype(np.int32)
    got = common.expect_scalar(ctx.sub.call("evaluate", trees.learner_params(*arrays), X, Y),
                               "evaluate(params, X, Y)")
    if not 0.0 <= got <= 1.0:
        raise CheckFailed(f"evaluate returned {got}, outside [0, 1]",
                          advice="an accuracy is a fraction: jnp.mean, not jnp.sum")
    expect_close(np.float64(got), np.float64(4 / 7), "evaluate(params, X, Y)", "training")


# ------------------------------------------------------------ fit

def _fit_record(ctx, seed, epochs, batch_size, fresh=False):
    """What fit(key=seed, ...) fed its train steps; runs are shared between the fit checks
    (each fit compiles its own train step) unless `fresh`."""
    runs = ctx.__dict__.setdefault("stage8_fit_runs", {})
    if fresh or (seed, epochs, batch_size) not in runs:
        runs[(seed, epochs, batch_size)] = _run_fit(ctx, seed, epochs, batch_size)
    return runs[(seed, epochs, batch_size)]


def _run_fit(ctx, seed, epochs, batch_size, learning_rate=FIT_LEARNING_RATE):
    X, Y = fit_problem(ctx)
    record = ctx.sub.probe("fit_record", function="fit", X=X, Y=Y, key=ctx.random_arg(seed),
                           learning_rate=learning_rate, epochs=epochs, batch_size=batch_size)
    expect_recorded_steps(
        record, "fit never called the train_step that make_train_step returns",
        advice="the autograder follows fit's steps through make_train_step: build the "
        "step with train_step = make_train_step(optimizer) and call it")
    return record


def check_fit_key(ctx):
    """Check that fit's randomness comes from key: same key, same result; another key, another."""
    epochs = 2
    first = _fit_record(ctx, 3, epochs, FIT_BATCH)
    again = _fit_record(ctx, 3, epochs, FIT_BATCH, fresh=True)
    other = _fit_record(ctx, 4, epochs, FIT_BATCH)
    arrays = [learner_arrays(r["final"], FIT_N_IN, "fit's result") for r in (first, again, other)]
    if not all(np.array_equal(a, b) for a, b in zip(arrays[0], arrays[1])):
        raise CheckFailed("fit gave different parameters for the same key",
                          advice="draw every random number from the key argument")
    if all(np.array_equal(a, b) for a, b in zip(arrays[0], arrays[2])):
        raise CheckFailed("fit gave the same parameters for two different keys",
                          advice="use the key for model.init and for the shuffles, not a fixed PRNGKey(0)")
    if orders(first["calls"], epochs) == orders(other["calls"], epochs):
        raise CheckFailed("fit shuffled the same way for two different keys",
                          advice="derive the shuffling keys from the key argument")


def check_fit_steps(ctx):
    """Check that fit's result is SGD with learning_rate along its batches, from its start."""
    trees = Trees(ctx)
    X, Y = fit_problem(ctx)
    learning_rate = FIT_LEARNING_RATE
    record = _fit_record(ctx, 3, 2, FIT_BATCH)
    start = learner_arrays(record["initial"], FIT_N_IN, "the params fit started from")
    batches = [np.asarray(call["rows"]) for call in record["calls"]]

    def reference_fit():
        import optax  # here: a kept value needs no optax, nor JAX, in the grader

        opt = optax.sgd(learning_rate)
        step = ctx.ref.make_train_step(opt)
        params = trees.reference_params(*start)
        state = opt.init(params)
        for rows in batches:
            params, state, _loss = step(params, state, X[rows], Y[rows])
        return trees.reference_arrays(to_numpy(params), FIT_N_IN)

    expected = ctx.reference_value("fit_steps", reference_fit, start, batches, X, Y, learning_rate)
    try:
        expect_layers_close(record["final"], expected, FIT_N_IN,
                            f"fit(learning_rate={learning_rate}, epochs=2, batch_size={FIT_BATCH})",
                            "training")
    except CheckFailed as exc:
        exc.inputs = {"X": X, "Y": Y}
        raise


# ------------------------------------------------------------ training on MNIST

def _fit_accuracy(ctx, X, Y, X_val, Y_val, **settings):
    params = ctx.sub.call("fit", X, Y, key=ctx.random_arg(0), **settings)
    arrays = learner_arrays(params, X.shape[1], "fit's result")
    return float(np.mean(np.argmax(logits(*arrays, X_val), axis=1) == Y_val))


check_fit_full_batch, check_fit_minibatches, check_fit_shuffles_each_epoch = (
    batch_order_checks(_fit_record))
check_training_accuracy, check_training_minibatches = training_checks(_fit_accuracy)
