"""Stage 9 (Flax NNX): a module that holds its parameters, steps that change it in place,
split and merge back to pure functions, fit.

A module cannot travel from the worker, so the probes build the learner's
MLP there and send its nnx.Param arrays back as a nested dict (attribute
names as keys), in which the layers are found by shape, as for Haiku's
trees. Sizes are chosen with n_in, n_hidden and n_out all different, so
that shapes alone tell the layers apart (NNX orders its state by attribute
name, not by the order of the calls). Checks set known arrays into the
learner's module and compare with NumPy formulas in float64: the forward
pass, the loss, its gradients, and SGD and Adam steps as Optax takes them.
fit is followed step by step as in stage 8 (autograder/checks/fit_common.py),
through the module's own train_step, and replayed with those formulas.
"""
import numpy as np
from hypothesis import strategies as st

from autograder.checks import common, scales
from autograder.checks import strategies as S
from autograder.checks.compare import as_array, expect_close, expect_shape, symptom
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
from autograder.checks.param_trees import (
    DEFAULT_HIDDEN,
    DEFAULT_OUT,
    LAYER_NAMES,
    explain_apply,
    find_layers,
    flatten,
    large_logit_case,
    layer_shapes,
    logits,
    logits_without_relu,
    mean_cross_entropy,
    read_layers,
    with_layers,
)
from autograder.grading.failures import CheckFailed

# (n_in, n_hidden, n_out, m), all three sizes different: a batch of one, a
# single feature, a single hidden unit, odd sizes, and the real 10 classes.
NNX_SHAPES = ((1, 2, 3, 1), (2, 1, 3, 4), (3, 5, 10, 2), (5, 3, 4, 7), (8, 4, 10, 3))
STEP_SIZES = (3, 5, 4)  # the network the step, optimizer, predict and split checks use
STEP_M = 6
WIDE_SIZES = (784, 400, 300)  # enough weights to measure how they were drawn


def sizes_of(w1, b1, w2, b2):
    return (w1.shape[0], w1.shape[1], w2.shape[1])


# ------------------------------------------------------------ the learner's modules

class Networks:
    """The nnx.Param trees of the learner's MLP, by size (each built once per check)."""

    def __init__(self, ctx):
        self.ctx = ctx
        self._cache = {}

    def facts(self, sizes, seed=0, values=False):
        """What the probe found in MLP(*sizes, rngs=nnx.Rngs(seed)); its initial values only
        if asked (else zeros of the same shapes and dtypes, which a worker makes faster)."""
        key = (tuple(sizes), seed, values)
        if key not in self._cache:
            self._cache[key] = self.ctx.sub.probe("mlp_params", function="MLP", sizes=sizes,
                                                  seed=seed, values=values)
        return self._cache[key]

    def template(self, sizes):
        """(params, layers) of MLP(*sizes, rngs=...); defaults fill missing sizes."""
        full = tuple(sizes) + (DEFAULT_HIDDEN, DEFAULT_OUT)[len(sizes) - 1:]
        params = self.facts(sizes)["params"]
        call = ", ".join(map(str, sizes))
        return params, find_layers(params, *full, f"the parameters of MLP({call}, rngs=...)")

    def arrays(self, sizes, seed=0):
        """(w1, b1, w2, b2) of MLP(*sizes, rngs=nnx.Rngs(seed)) as it draws them."""
        params = self.facts(sizes, seed, values=True)["params"]
        return read_layers(params, find_layers(params, *sizes, f"MLP{tuple(sizes)}"))

    def params(self, w1, b1, w2, b2):
        """The learner's MLP tree holding these arrays."""
        template, layers = self.template(sizes_of(w1, b1, w2, b2))
        return with_layers(template, layers, (w1, b1, w2, b2))


def learner_arrays(params, sizes, what):
    """(w1, b1, w2, b2) of a parameter tree the learner's module held."""
    return read_layers(params, find_layers(params, *sizes, what))


def expect_layers_close(got, expected, sizes, what, kind="equivalence"):
    """The learner's tree `got` against expected arrays (w1, b1, w2, b2), layer by layer."""
    for name, g, e in zip(LAYER_NAMES, learner_arrays(got, sizes, what), expected):
        expect_close(g, e, f"{name} of {what}", kind)


@st.composite
def nnx_networks(draw, dtype=np.float32, bound=1.0):
    """Layer arrays in Flax's layout ((inputs, outputs) kernels) and a batch, any NNX_SHAPES."""
    n_in, n_hidden, n_out, m = draw(st.sampled_from(NNX_SHAPES))
    case = {name: draw(S.float_arrays(shape, dtype, bound))
            for name, shape in layer_shapes(n_in, n_hidden, n_out).items()}
    case["X"] = draw(S.float_arrays((m, n_in), dtype, bound))
    case["Y"] = draw(S.labels(m, n_out))
    return case


def step_arrays(ctx, rng, sizes=STEP_SIZES):
    """(w1, b1, w2, b2) uniform on [-1, 1)."""
    return [rng.uniform(-1, 1, shape).astype(ctx.dtype) for shape in layer_shapes(*sizes).values()]


def step_case(ctx, seed, count=3):
    """STEP_SIZES layer arrays and `count` batches of (X, Y)."""
    rng = np.random.default_rng(ctx.fixed_seed(seed))
    arrays = step_arrays(ctx, rng)
    batches = [(rng.uniform(-2, 2, (STEP_M, STEP_SIZES[0])).astype(ctx.dtype),
                rng.integers(0, STEP_SIZES[2], STEP_M).astype(np.int32)) for _ in range(count)]
    return arrays, batches


# ------------------------------------------------------------ the steps, in NumPy

def gradients(arrays, X, Y):
    """Gradients of the mean cross-entropy with respect to (w1, b1, w2, b2), in float64."""
    Z = logits(*arrays, X)
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    P[np.arange(len(Y)), Y] -= 1  # d(mean loss)/d(logits), times m
    return relu_network_gradients(*arrays, X, P / len(Y))


def relu_network_gradients(w1, b1, w2, b2, X, C):
    """Gradients of sum(logits * C) with respect to (w1, b1, w2, b2), in float64."""
    f = lambda a: np.asarray(a, np.float64)  # noqa: E731
    X, C, w1, b1, w2 = f(X), f(C), f(w1), f(b1), f(w2)
    Z1 = X @ w1 + b1
    dZ1 = (C @ w2.T) * (Z1 > 0)
    return X.T @ dZ1, dZ1.sum(axis=0), np.maximum(Z1, 0).T @ C, C.sum(axis=0)


def optimizer_steps(optimizer, learning_rate, arrays, batches):
    """The arrays after each step of optax.sgd or optax.adam (default settings) along `batches`."""
    params = [np.asarray(a, np.float64) for a in arrays]
    first = [np.zeros_like(p) for p in params]  # Adam's moment estimates
    second = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    after = []
    for t, (X, Y) in enumerate(batches, start=1):
        grads = gradients(params, X, Y)
        if optimizer == "sgd":
            params = [p - learning_rate * g for p, g in zip(params, grads)]
        else:
            first = [b1 * m + (1 - b1) * g for m, g in zip(first, grads)]
            second = [b2 * v + (1 - b2) * g * g for v, g in zip(second, grads)]
            params = [p - learning_rate * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
                      for p, m, v in zip(params, first, second)]
        after.append(params)
    return after


# ------------------------------------------------------------ MLP

def check_module_structure(ctx):
    """Check that MLP is an nnx.Module that creates its parameters when it is built."""
    facts = Networks(ctx).facts(STEP_SIZES)
    if not facts["class_is_module"]:
        raise CheckFailed("MLP is not a subclass of nnx.Module",
                          advice="write `class MLP(nnx.Module):` (NNX needs no super().__init__)")
    if not flatten(facts["params"]):
        raise CheckFailed(f"MLP{STEP_SIZES[:3]} built with rngs=nnx.Rngs(0) holds no nnx.Param: "
                          "its layers do not exist until it is called",
                          "an NNX module creates its layers, and so their parameters, in __init__; "
                          "Haiku created them in __call__",
                          advice="in __init__: self.hidden = nnx.Linear(n_in, n_hidden, "
                          "rngs=rngs), and the same for the output layer")


def check_init_param_shapes(ctx):
    """Check that MLP(n_in, n_hidden, n_out) creates two float32 linear layers of those sizes."""
    networks = Networks(ctx)
    for n_in, n_hidden, n_out, _m in NNX_SHAPES:
        try:
            template, layers = networks.template((n_in, n_hidden, n_out))
        except CheckFailed as exc:
            exc.inputs = {"n_in": n_in, "n_hidden": n_hidden, "n_out": n_out}
            raise
        for name, array in zip(LAYER_NAMES, read_layers(template, layers)):
            if array.dtype != np.float32:
                raise CheckFailed(f"{name} of MLP({n_in}, {n_hidden}, {n_out}) has dtype "
                                  f"{array.dtype}, expected float32")
    networks.template((FIT_N_IN,))  # the default sizes: 10 hidden units, 10 classes


def check_init_flax_defaults(ctx):
    """Check that the layers start as Flax's defaults: kernels of scale 1/sqrt(fan_in), biases 0."""
    arrays = Networks(ctx).arrays(WIDE_SIZES)
    call = f"MLP({', '.join(map(str, WIDE_SIZES))}, rngs=nnx.Rngs(0))"
    for name, array in zip(LAYER_NAMES, arrays):
        values = as_array(array, name).astype(np.float64)
        if name.startswith("b"):
            if np.any(values != 0):
                raise CheckFailed(f"{name} of {call} does not start at zero",
                                  f"{name} has min {values.min():.3g}, max {values.max():.3g}; "
                                  "Flax's Linear starts every bias at 0",
                                  advice="let nnx.Linear initialise its bias (zeros by default)")
            continue
        fan_in = values.shape[0]
        std, mean, target = values.std(), values.mean(), fan_in ** -0.5
        if not 0.8 * target <= std <= 1.25 * target or abs(mean) > 0.1 * target:
            uniform = abs(std - 12 ** -0.5) < 0.02 and values.min() < -0.45 and values.max() > 0.45
            raise CheckFailed(
                f"{name} of {call} does not look drawn by Flax's default initialiser"
                + (": it looks uniform on [-0.5, 0.5)" if uniform else ""),
                f"{name} ({fan_in} inputs) has mean {mean:.3g} and std {std:.3g}; Flax's default "
                f"(lecun_normal) draws a normal of mean 0 and std 1/sqrt({fan_in}) = {target:.3g}",
                advice="let nnx.Linear draw its own kernel from rngs; the uniform [-0.5, 0.5) of "
                "stages 1-6 is far too wide for 784 inputs")


def check_init_from_rngs(ctx):
    """Check that MLP's initial weights come from rngs: same seed, same numbers; another, others."""
    first = Networks(ctx).arrays(STEP_SIZES, seed=3)
    again = Networks(ctx).arrays(STEP_SIZES, seed=3)  # a new Networks builds it again
    other = Networks(ctx).arrays(STEP_SIZES, seed=4)
    call = f"MLP{STEP_SIZES}"
    if not all(np.array_equal(a, b) for a, b in zip(first, again)):
        raise CheckFailed(f"{call} built twice with rngs=nnx.Rngs(3) gave different weights",
                          advice="draw every initial weight from the rngs argument (nnx.Linear "
                          "does), never from np.random or a key of your own")
    if np.array_equal(first[0], other[0]) or np.array_equal(first[2], other[2]):
        raise CheckFailed(f"{call} gave the same weights for rngs=nnx.Rngs(3) and nnx.Rngs(4)",
                          advice="pass rngs on to both layers instead of a fixed key or seed")


def check_call_reference(ctx):
    """Check that model(X) gives relu(X @ w1 + b1) @ w2 + b2 for given parameters and any sizes."""
    networks = Networks(ctx)

    def prop(w1, b1, w2, b2, X, Y):
        sizes = sizes_of(w1, b1, w2, b2)
        got = ctx.sub.probe("mlp_call", function="MLP", sizes=sizes,
                            params=networks.params(w1, b1, w2, b2), X=X)
        expected = logits(w1, b1, w2, b2, X)
        explain_apply(got, expected, logits_without_relu(w1, b1, w2, b2, X))
        expect_close(got, expected, f"MLP{sizes}(X)")
    ctx.forall(nnx_networks(ctx.dtype), prop, examples=12)


# ------------------------------------------------------------ loss_fn

def _loss(ctx, networks, w1, b1, w2, b2, X, Y, what):
    got = ctx.sub.probe("loss_call", function="loss_fn", sizes=sizes_of(w1, b1, w2, b2),
                        params=networks.params(w1, b1, w2, b2), X=X, Y=Y)
    return common.expect_scalar(got, what)


def check_loss_fn_reference(ctx):
    """Check that loss_fn is the mean cross-entropy of the logits over the batch given."""
    networks = Networks(ctx)

    def loss(w1, b1, w2, b2, X, Y):
        """(the learner's loss, the mean cross-entropy) of the network on (X, Y)."""
        got = _loss(ctx, networks, w1, b1, w2, b2, X, Y, "loss_fn(model, X, Y)")
        return got, mean_cross_entropy(logits(w1, b1, w2, b2, X), Y)

    def prop(w1, b1, w2, b2, X, Y):
        got, expected = loss(w1, b1, w2, b2, X, Y)
        scales.expect_unscaled(got, expected, "loss_fn", len(X),
                               {"n_in": X.shape[1], "n_out": w2.shape[1]}, "the mean cross-entropy")
        expect_close(np.float32(got), np.float64(expected), "loss_fn(model, X, Y)")

    def factor(case, m):
        layers = [case[name] for name in LAYER_NAMES]
        X, Y = scales.new_batch(case["X"].shape[1], m, layers[2].shape[1], ctx.dtype, "rows")
        return scales.factor_of(*loss(*layers, X, Y))
    scales.forall_naming_scale(ctx, nnx_networks(ctx.dtype), prop, factor, examples=6)


def check_loss_fn_large_logits(ctx):
    """Check that loss_fn stays finite and correct for logits as large as 1e3."""
    case = large_logit_case(ctx.dtype, n_in=STEP_SIZES[0], n_hidden=STEP_SIZES[1],
                            n_out=STEP_SIZES[2])
    arrays = [case[n] for n in LAYER_NAMES]
    try:
        got = _loss(ctx, Networks(ctx), *arrays, case["X"], case["Y"], "loss_fn for logits of 1e3")
        if not np.isfinite(got):
            raise CheckFailed(f"loss_fn returned {got} for logits of 1e3",
                              advice="a probability that underflows to 0 gives log(0) = -inf: "
                              "compute log-probabilities directly (jax.nn.log_softmax, or Optax's "
                              "cross-entropy with integer labels)")
        expected = mean_cross_entropy(logits(*arrays, case["X"]), case["Y"])
        expect_close(got, np.float64(expected), "loss_fn for logits of 1e3")
    except CheckFailed as exc:
        exc.inputs = case
        raise


# ------------------------------------------------------------ make_optimizer

def check_make_optimizer_sgd(ctx):
    """Check that make_optimizer(model, lr) is an nnx.Optimizer doing plain SGD: each update
    moves every parameter by -lr * grad, step after step."""
    networks = Networks(ctx)
    rng = np.random.default_rng(3)
    start = step_arrays(ctx, rng)
    grads = [step_arrays(ctx, rng) for _ in range(3)]
    for lr in (0.3, 0.02):
        facts = ctx.sub.probe("optimizer_updates", function="make_optimizer", sizes=STEP_SIZES,
                              params=networks.params(*start), learning_rate=lr,
                              grads=[networks.params(*g) for g in grads])
        _expect_optimizer(facts["type"])
        before = start
        for step, (after, g) in enumerate(zip(facts["params"], grads), start=1):
            after = learner_arrays(after, STEP_SIZES, f"the model after update {step}")
            for name, b, a, grad in zip(LAYER_NAMES, before, after, g):
                update = a - b  # float32, as the model holds it
                _explain_not_sgd(update, grad, lr, step)
                expect_close(update, -lr * grad.astype(np.float64),
                             f"update {step} of {name} by make_optimizer(model, {lr})")
            before = after


def _expect_optimizer(kind):
    if kind.endswith(".ModelAndOptimizer"):
        raise CheckFailed("make_optimizer returned an nnx.ModelAndOptimizer, expected an "
                          "nnx.Optimizer", "SPEC's train_step is given the model and updates it "
                          "with optimizer.update(model, grads), which nnx.Optimizer provides",
                          advice="return nnx.Optimizer(model, optax.sgd(learning_rate), "
                          "wrt=nnx.Param)")
    if not kind.startswith("flax.nnx.") or not kind.endswith("Optimizer"):
        raise CheckFailed(f"make_optimizer returned a {kind}, expected an nnx.Optimizer",
                          advice="wrap the Optax transformation: "
                          "nnx.Optimizer(model, tx, wrt=nnx.Param)")


def _explain_not_sgd(update, grad, lr, step):
    close = lambda a, b: np.allclose(a, b, rtol=2e-4, atol=2e-5)  # noqa: E731
    if close(update, -lr * grad):
        return
    if close(update, lr * grad):
        raise CheckFailed("the updates are +lr * grad: they would climb the loss",
                          advice="optax.sgd(lr) already negates; optax.scale(lr) alone does not")
    if step == 1 and np.allclose(np.abs(update[grad != 0]), lr, rtol=1e-2):
        raise CheckFailed("the first update is about ±lr for every entry: that is Adam, not SGD",
                          advice="SPEC asks for plain SGD: optax.sgd(learning_rate)")
    if step > 1:
        raise CheckFailed(f"update {step} is not -lr * grad: the optimizer remembers earlier "
                          "gradients (momentum?)",
                          advice="plain SGD has no memory: optax.sgd(learning_rate), no momentum")
    raise CheckFailed(f"the first update is not -{lr} * grad",
                      advice="use the learning rate you are given: optax.sgd(learning_rate)")


# ------------------------------------------------------------ train_step

SGD_RATE, ADAM_RATE = 0.3, 0.05


def _step_run(ctx, optimizer, learning_rate, seed):
    """(what the learner's train_step did, the start arrays, the batches); shared by the checks."""
    runs = ctx.__dict__.setdefault("stage9_step_runs", {})
    if optimizer not in runs:
        arrays, batches = step_case(ctx, seed)
        got = ctx.sub.probe("train_step_run", function="train_step", sizes=STEP_SIZES,
                            params=Networks(ctx).params(*arrays), optimizer=optimizer,
                            learning_rate=learning_rate, batches=batches)
        runs[optimizer] = (got, arrays, batches)
    return runs[optimizer]


def _arrays_after(got, number):
    return learner_arrays(got["calls"][number - 1]["params"], STEP_SIZES,
                          f"the model after train_step call {number}")


def _step_count(got, number):
    value = got["calls"][number - 1]["optimizer_step"]
    return int(np.asarray(value)) if np.size(value) == 1 else None


def check_train_step_updates_in_place(ctx):
    """Check that train_step changes the model and the optimizer it is given, in place."""
    got, start, _batches = _step_run(ctx, "sgd", SGD_RATE, seed=0)
    moved = not all(np.array_equal(a, b) for a, b in zip(_arrays_after(got, 1), start))
    counted = _step_count(got, 1)
    if not moved and "PjitFunction" in got["step"]["type"]:
        raise CheckFailed(
            "after train_step the model is unchanged: train_step is compiled with jax.jit",
            "jax.jit sees the model and the optimizer as pytrees of arrays and traces copies of "
            "them; the updates made to those copies are dropped when the call returns",
            advice="decorate train_step with @nnx.jit: it writes the new values back into the "
            "model and the optimizer")
    if not moved and counted:
        raise CheckFailed(
            "after train_step the model is unchanged, though the optimizer counted a step",
            "the update went to another module than the model passed in (a copy made with "
            "nnx.clone or nnx.merge, or a new MLP?)",
            advice="compute the gradients of the model you are given and call "
            "optimizer.update(model, grads) on that same model")
    if not moved:
        raise CheckFailed(
            "after train_step the model is unchanged (and the optimizer counted no step)",
            "with NNX a step changes the model in place; new parameters that are only returned, "
            "as in Haiku, never reach the model",
            advice="optimizer.update(model, grads) writes the new parameters into the model")
    for number in range(1, len(got["calls"]) + 1):
        if _step_count(got, number) != number:
            raise CheckFailed(
                f"after {number} call{'s' if number > 1 else ''} of train_step the optimizer "
                f"passed in counts {_step_count(got, number)} steps, expected {number}",
                "the model changed, but not through the optimizer you were given: a new "
                "nnx.Optimizer inside train_step, or an update written by hand?",
                advice="update with the optimizer passed in: optimizer.update(model, grads)")


def _expect_optimizer_steps(ctx, optimizer, learning_rate, seed, what):
    got, start, batches = _step_run(ctx, optimizer, learning_rate, seed)
    expected = optimizer_steps(optimizer, learning_rate, start, batches)
    try:
        _explain_step_scale(_arrays_after(got, 1), expected[0], start)
        for number, after in enumerate(expected, start=1):
            expect_layers_close(got["calls"][number - 1]["params"], after, STEP_SIZES,
                                f"the model after step {number} of {what}")
    except CheckFailed as exc:
        exc.inputs = {"batch X of step 1": batches[0][0], "batch Y of step 1": batches[0][1]}
        raise


def _explain_step_scale(got, expected, start):
    """Fail with a pointed message when the first step is the expected one times a constant."""
    moved = np.concatenate([np.ravel(g.astype(np.float64) - s) for g, s in zip(got, start)])
    wanted = np.concatenate([np.ravel(e.astype(np.float64) - s) for e, s in zip(expected, start)])
    diagnosis = symptom(moved, wanted, rtol=2e-3, atol=2e-5)
    if diagnosis:
        raise CheckFailed(f"the first step moved the parameters wrongly: {diagnosis}",
                          "the step should follow the gradient of the mean loss of the batch, "
                          "as loss_fn computes it")


def check_train_step_sgd(ctx):
    """Check that train_step with an SGD optimizer takes SGD steps on the mean loss."""
    _expect_optimizer_steps(ctx, "sgd", SGD_RATE, 0, f"train_step with optax.sgd({SGD_RATE})")


def check_train_step_adam(ctx):
    """Check that train_step works for a stateful optimizer (Adam) given from outside."""
    try:
        _expect_optimizer_steps(ctx, "adam", ADAM_RATE, 1,
                                f"train_step with optax.adam({ADAM_RATE})")
    except CheckFailed as exc:
        exc.detail = ((exc.detail or "") + "\nwith Adam each step depends on the optimizer's "
                      "state: use the optimizer you are given, whatever it is").strip()
        raise


def check_train_step_loss(ctx):
    """Check that train_step returns one number: the loss of the model before the step."""
    got, start, batches = _step_run(ctx, "sgd", SGD_RATE, seed=0)
    before = start
    for number, (call, (X, Y)) in enumerate(zip(got["calls"], batches), start=1):
        returned = call["returned"]
        if isinstance(returned, (tuple, list)):
            raise CheckFailed(f"train_step returned a {type(returned).__name__} of "
                              f"{len(returned)}, expected the loss alone",
                              "with NNX the model and the optimizer change in place: there is "
                              "nothing else to hand back",
                              advice="return only the loss")
        loss = common.expect_scalar(returned, f"the loss returned by call {number}")
        after = _arrays_after(got, number)
        loss_before = mean_cross_entropy(logits(*before, X), Y)
        loss_after = mean_cross_entropy(logits(*after, X), Y)
        if np.isclose(loss, loss_after, rtol=2e-4) and not np.isclose(loss_before, loss_after,
                                                                      rtol=1e-3):
            raise CheckFailed(f"call {number} of train_step returned the loss AFTER the update",
                              f"the model passed in has loss {loss_before:.6g}; train_step "
                              f"returned {loss:.6g}, the loss of the updated model",
                              advice="return the loss nnx.value_and_grad computed with the "
                              "gradients, before optimizer.update")
        expect_close(np.float32(loss), np.float64(loss_before),
                     f"the loss returned by call {number}")
        before = after


def check_train_step_compiled(ctx):
    """Check that train_step is one compiled program that does not trace again for the same
    model, optimizer and shapes."""
    got, _start, _batches = _step_run(ctx, "sgd", SGD_RATE, seed=0)
    retraced = [n for n, call in enumerate(got["calls"][1:], start=2) if call["traces"]]
    if retraced:
        raise CheckFailed(f"train_step was traced and compiled again on call {retraced[0]}, "
                          "with the same model, optimizer and shapes as call 1",
                          advice="create jitted functions once, at the top level, never inside the "
                          "step; a Python value stored on the model that changes every call also "
                          "makes nnx.jit trace again")
    if not got["step"]["jitted"]:
        raise CheckFailed("train_step is not compiled: each call runs its operations one by one",
                          advice="decorate train_step with @nnx.jit")


# ------------------------------------------------------------ predict, evaluate

def check_predict_classes(ctx):
    """Check that predict returns the class index of each row (the argmax of the logits)."""
    networks = Networks(ctx)
    rng = np.random.default_rng(ctx.fixed_seed(4))
    arrays = step_arrays(ctx, rng)
    X = rng.uniform(-2, 2, (7, STEP_SIZES[0])).astype(ctx.dtype)
    Z = logits(*arrays, X)
    got = ctx.sub.probe("predict_run", function="predict", sizes=STEP_SIZES,
                        params=networks.params(*arrays), X=X)["value"]
    array = as_array(got, "predict(model, X)")
    if array.shape == Z.shape:
        raise CheckFailed(f"predict returned an array of shape {array.shape}: scores per class, "
                          "not one class per example", advice="return jnp.argmax(logits, axis=1)")
    array = expect_shape(got, (len(X),), "predict(model, X)")
    if not np.issubdtype(array.dtype, np.integer):
        raise CheckFailed(f"predict(model, X) has dtype {array.dtype}, expected integer classes")
    try:
        expect_close(array, np.argmax(Z, axis=1), "predict(model, X)")
    except CheckFailed as exc:
        exc.inputs = {"X": X}
        raise


def check_predict_compiled(ctx):
    """Check that predict is compiled and does not trace again for the same model and shape."""
    networks = Networks(ctx)
    rng = np.random.default_rng(5)
    arrays = step_arrays(ctx, rng)
    X = rng.uniform(-1, 1, (2, STEP_SIZES[0])).astype(ctx.dtype)
    got = ctx.sub.probe("predict_run", function="predict", sizes=STEP_SIZES,
                        params=networks.params(*arrays), X=X)
    if not got["step"]["jitted"]:
        raise CheckFailed("predict is not compiled", advice="decorate predict with @nnx.jit")
    if got["traces"][1]:
        raise CheckFailed("predict was traced and compiled again on its second call with the "
                          "same model and X",
                          advice="create the jitted function once, at the top level")


def check_evaluate(ctx):
    """Check that evaluate is the fraction of rows whose predicted class is the label."""
    networks = Networks(ctx)
    rng = np.random.default_rng(9)
    arrays = step_arrays(ctx, rng)
    X = rng.uniform(-2, 2, (7, STEP_SIZES[0])).astype(ctx.dtype)
    predicted = np.argmax(logits(*arrays, X), axis=1)
    Y = np.where(np.arange(7) % 2 == 0, predicted, (predicted + 1) % STEP_SIZES[2]).astype(np.int32)
    got = common.expect_scalar(ctx.sub.probe("evaluate_call", function="evaluate", sizes=STEP_SIZES,
                                             params=networks.params(*arrays), X=X, Y=Y),
                               "evaluate(model, X, Y)")
    if not 0.0 <= got <= 1.0:
        raise CheckFailed(f"evaluate returned {got}, outside [0, 1]",
                          advice="an accuracy is a fraction: jnp.mean, not jnp.sum")
    expect_close(np.float64(got), np.float64(4 / 7), "evaluate(model, X, Y)", "training")


# ------------------------------------------------------------ split_model, pure_forward

def _expect_split(facts):
    """Fail unless split_model returned (graphdef, state) as nnx.split does."""
    if "parts" not in facts:
        what = (f"a {facts['type'].rsplit('.', 1)[-1]} of {facts['length']}" if facts["length"]
                is not None else f"a {facts['type']}")
        raise CheckFailed(f"split_model returned {what}, expected the pair (graphdef, state)",
                          advice="nnx.split(model), with no filter, gives (graphdef, state)")
    if not facts.get("split_ok"):
        parts = ", ".join(part.rsplit(".", 1)[-1] for part in facts["parts"])
        raise CheckFailed(f"split_model returned ({parts}), expected (GraphDef, State)",
                          advice="return nnx.split(model) as it is: the graphdef, then the state")


def _split_case(ctx, seed):
    rng = np.random.default_rng(ctx.fixed_seed(seed))
    arrays = step_arrays(ctx, rng)
    X = rng.uniform(-2, 2, (4, STEP_SIZES[0])).astype(ctx.dtype)
    return rng, arrays, X


def check_split_model(ctx):
    """Check that split_model gives (graphdef, state): the state holds the model's parameters,
    nnx.merge of the two rebuilds the same network, and the model is left as it was."""
    _rng, arrays, X = _split_case(ctx, 6)
    facts = ctx.sub.probe("split_run", function="split_model", sizes=STEP_SIZES,
                          params=Networks(ctx).params(*arrays), X=X)
    _expect_split(facts)
    expect_layers_close(facts["state_params"], arrays, STEP_SIZES, "the state split_model returned")
    expect_close(facts["merged_logits"], logits(*arrays, X), "nnx.merge(graphdef, state)(X)")
    expect_layers_close(facts["model_after"], arrays, STEP_SIZES, "the model after split_model")


def check_pure_forward_reference(ctx):
    """Check that pure_forward(graphdef, state, X) gives the logits of the network in `state`,
    the same for the same state, and leaves the model alone."""
    networks = Networks(ctx)
    rng, arrays, X = _split_case(ctx, 7)
    other = step_arrays(ctx, rng)
    facts = ctx.sub.probe("pure_forward_run", function="pure_forward", sizes=STEP_SIZES,
                          params=networks.params(*arrays), other_params=networks.params(*other),
                          X=X)
    _expect_split(facts)
    try:
        expect_close(facts["first"], logits(*arrays, X), "pure_forward(graphdef, state, X)")
        if not np.array_equal(as_array(facts["again"], "the second call"), facts["first"]):
            raise CheckFailed("pure_forward gave other logits on a second call with the same "
                              "graphdef, state and X: it depends on something outside its "
                              "arguments")
        expected_other = logits(*other, X)
        if np.allclose(facts["other"], facts["first"]) and not np.allclose(expected_other,
                                                                          facts["first"]):
            raise CheckFailed("pure_forward gave the first network's logits for another state: "
                              "it does not use the state it is given",
                              advice="rebuild the network from the arguments: "
                              "nnx.merge(graphdef, state)(X), never a model from outside")
        expect_close(facts["other"], expected_other, "pure_forward(graphdef, other_state, X)")
        expect_layers_close(facts["model_after"], arrays, STEP_SIZES,
                            "the model after pure_forward ran on its state")
    except CheckFailed as exc:
        exc.inputs = {"X": X}
        raise


def check_pure_forward_transforms(ctx):
    """Check that jax.jit, jax.vmap and jax.grad apply to pure_forward as it is, and agree
    with the module."""
    rng, arrays, X = _split_case(ctx, 8)
    Xs = rng.uniform(-2, 2, (3,) + X.shape).astype(ctx.dtype)
    C = rng.uniform(-1, 1, (len(X), STEP_SIZES[2])).astype(ctx.dtype)
    facts = ctx.sub.probe("pure_forward_transforms", function="pure_forward", sizes=STEP_SIZES,
                          params=Networks(ctx).params(*arrays), X=X, Xs=Xs, C=C)
    _expect_split(facts)
    calls = {"jit": "jax.jit(pure_forward, static_argnums=0)(graphdef, state, X)",
             "vmap": "jax.vmap(pure_forward, in_axes=(None, None, 0))(graphdef, state, Xs)",
             "grad": "jax.grad of sum(pure_forward(graphdef, state, X) * C) with respect to the "
                     "parameters in state"}
    for name, call in calls.items():
        if "error" in facts[name]:
            raise CheckFailed(f"{call} raised {facts[name]['error']}",
                              "a pure function of arrays uses jax.numpy on its arguments only: no "
                              "NumPy on traced values, no Python branch on their values, no model "
                              "from outside",
                              advice="pure_forward is nnx.merge(graphdef, state)(X)")
    try:
        expect_close(facts["jit"]["value"], logits(*arrays, X), "jax.jit of pure_forward")
        expect_close(facts["vmap"]["value"], np.stack([logits(*arrays, x) for x in Xs]),
                     "jax.vmap of pure_forward")
        expected = relu_network_gradients(*arrays, X, C)
        expect_layers_close(facts["grad"]["value"], expected, STEP_SIZES,
                            "jax.grad of pure_forward", "gradient")
    except CheckFailed as exc:
        exc.inputs = {"X": X, "C": C}
        raise


# ------------------------------------------------------------ fit

FIT_SIZES = (FIT_N_IN, DEFAULT_HIDDEN, DEFAULT_OUT)


def _fit_record(ctx, seed, epochs, batch_size, fresh=False):
    """What fit(seed=seed, ...) fed train_step; runs are shared between checks unless `fresh`."""
    runs = ctx.__dict__.setdefault("stage9_fit_runs", {})
    if fresh or (seed, epochs, batch_size) not in runs:
        X, Y = fit_problem(ctx)
        record = ctx.sub.probe("fit_record", function="fit", X=X, Y=Y, seed=seed,
                               learning_rate=FIT_LEARNING_RATE, epochs=epochs,
                               batch_size=batch_size)
        expect_recorded_steps(record, "fit never called train_step",
                              advice="the autograder follows fit's steps through your module's "
                              "train_step: call it by that name for every batch")
        runs[(seed, epochs, batch_size)] = record
    return runs[(seed, epochs, batch_size)]


def _fit_result(record):
    """(w1, b1, w2, b2) of the model fit returned."""
    returned = record["returned"]
    if "params" not in returned:
        raise CheckFailed(f"fit returned a {returned['type']}, expected the trained MLP",
                          advice="return the model itself: its parameters are inside it")
    return learner_arrays(returned["params"], FIT_SIZES, "the model fit returned")


def check_fit_seed(ctx):
    """Check that fit's randomness comes from seed: same seed, same result; another, another."""
    epochs = 3
    first = _fit_record(ctx, 0, epochs, FIT_BATCH)
    again = _fit_record(ctx, 0, epochs, FIT_BATCH, fresh=True)
    other = _fit_record(ctx, 1, epochs, FIT_BATCH)
    arrays = [_fit_result(record) for record in (first, again, other)]
    if not all(np.array_equal(a, b) for a, b in zip(arrays[0], arrays[1])):
        raise CheckFailed("fit gave different models for the same seed",
                          advice="draw every random number from the seed: nnx.Rngs(seed) for the "
                          "model, and keys derived from it for the shuffles")
    if all(np.array_equal(a, b) for a, b in zip(arrays[0], arrays[2])):
        raise CheckFailed("fit gave the same model for two different seeds",
                          advice="build the model with rngs=nnx.Rngs(seed), not a fixed seed")
    if orders(first["calls"], epochs) == orders(other["calls"], epochs):
        raise CheckFailed("fit shuffled the same way for two different seeds",
                          advice="derive the shuffling keys from the seed argument")


def check_fit_steps(ctx):
    """Check that fit trains one model with one optimizer, SGD with learning_rate along its
    batches from its own start, and returns that model."""
    X, Y = fit_problem(ctx)
    epochs = 3
    record = _fit_record(ctx, 0, epochs, FIT_BATCH)
    calls = record["calls"]
    for kind, advice in (("optimizer", "make the optimizer once, before the loop: a new one "
                          "forgets Adam's moments and makes nnx.jit trace again"),
                         ("model", "build the model once and train that one")):
        fresh = [n for n, call in enumerate(calls, start=1) if call[kind] != calls[0][kind]]
        if fresh:
            raise CheckFailed(f"fit gave train_step another {kind} at step {fresh[0]} than at "
                              "step 1", f"fit({len(X)} rows, epochs={epochs}, "
                              f"batch_size={FIT_BATCH}) made {len(calls)} steps", advice=advice)
    start = learner_arrays(record["initial"], FIT_SIZES, "the model fit started from")
    batches = [np.asarray(call["rows"]) for call in calls]
    final = _fit_result(record)

    expected = optimizer_steps("sgd", FIT_LEARNING_RATE, start,
                               [(X[rows], Y[rows]) for rows in batches])[-1]
    what = (f"the model fit(learning_rate={FIT_LEARNING_RATE}, epochs={epochs}, "
            f"batch_size={FIT_BATCH}) returned")
    try:
        for name, g, e in zip(LAYER_NAMES, final, expected):
            expect_close(g, e, f"{name} of {what}", "training")
    except CheckFailed as exc:
        exc.inputs = {"X": X, "Y": Y}
        if not record["returned"]["stepped"]:
            exc.reason = "fit returned another model than the one train_step trained"
        raise


# ------------------------------------------------------------ training on MNIST

def _fit_accuracy(ctx, X, Y, X_val, Y_val, **settings):
    out = ctx.sub.probe("fit_params", function="fit", X=X, Y=Y, seed=0, **settings)
    if "params" not in out:
        raise CheckFailed(f"fit returned a {out['type']}, expected the trained MLP")
    arrays = learner_arrays(out["params"], (X.shape[1], DEFAULT_HIDDEN, DEFAULT_OUT),
                            "the model fit returned")
    return float(np.mean(np.argmax(logits(*arrays, X_val), axis=1) == Y_val))


check_fit_full_batch, check_fit_minibatches, check_fit_shuffles_each_epoch = (
    batch_order_checks(_fit_record))
check_training_accuracy, check_training_minibatches = training_checks(_fit_accuracy)
