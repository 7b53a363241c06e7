"""Stage 5 (jax.grad, row layout): a stable mean cross-entropy and its gradients from jax.grad."""
import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from autograder.checks import common, rows, scales
from autograder.checks import strategies as S
from autograder.checks.compare import (
    as_array,
    expect_all_close,
    expect_close,
    expect_finite,
    expect_shape,
)
from autograder.checks.rows import (  # noqa: F401 - the check_* names are the registry
    check_get_accuracy,
    check_get_predictions,
    check_gradient_descent_deterministic,
    check_init_params_randomness,
    check_init_params_shapes,
    check_one_hot,
    check_one_hot_missing_classes,
    check_relu,
    check_softmax_large_logits,
    check_softmax_reference,
)
from autograder.checks.tolerances import tolerance
from autograder.grading.failures import CheckFailed


def check_forward_logits(ctx):
    """Check that forward takes ONE example x (n_in,) and returns its logits z2 (n_out,)."""
    rows.expect_one_example(ctx, ("z2",))


def check_batched_forward_rows(ctx):
    """Check that batched_forward(X) stacks forward(x_i) row by row: logits (m, n_out)."""
    rows.expect_rows_stack_forward(ctx, ("logits",))


def check_batched_forward_uses_vmap(ctx):
    """Check that batched_forward is jax.vmap of forward over the rows of X."""
    rows.expect_vmap_of_forward(ctx)


# ---------------------------------------------------------------- the loss
def _loss(ctx, W1, b1, W2, b2, X, Y, what="loss_fn"):
    return common.expect_scalar(ctx.sub.call("loss_fn", W1, b1, W2, b2, X, Y), what)


def _sizes(W1, W2):
    return {"n_in": W1.shape[1], "n_out": W2.shape[0]}


def check_loss_fn_reference(ctx):
    """Check loss_fn against the reference mean cross-entropy for any sizes and batch."""
    def prop(W1, b1, W2, b2, X, Y):
        got = _loss(ctx, W1, b1, W2, b2, X, Y)
        expected = float(ctx.expected("loss_fn", W1, b1, W2, b2, X, Y))
        scales.expect_unscaled(got, expected, "loss_fn", X.shape[0], _sizes(W1, W2),
                               "the mean cross-entropy")
        expect_close(np.float32(got), np.float32(expected), "loss_fn")
    scales.forall_naming_scale(ctx, rows.networks(ctx), prop,
                               lambda case, m: _loss_factor(ctx, case, m),
                               explicit=[_confident_network(ctx.dtype)])


def _new_batch(ctx, case, m):
    """The case's parameters and a new batch (X, Y) of m rows."""
    W1, b1, W2, b2 = (case[name] for name in rows.PARAMS)
    return (W1, b1, W2, b2, *scales.new_batch(W1.shape[1], m, W2.shape[0], ctx.dtype, rows.LAYOUT))


def _loss_factor(ctx, case, m):
    """The factor between loss_fn and the reference's loss on a new batch of m rows."""
    args = _new_batch(ctx, case, m)
    return scales.factor_of(_loss(ctx, *args), float(ctx.expected("loss_fn", *args)))


def _confident_network(dtype):
    """One example whose true class has probability e**-20: its loss is 20, not capped near 16."""
    return {"W1": np.ones((1, 1), dtype), "b1": np.zeros(1, dtype),
            "W2": np.zeros((2, 1), dtype), "b2": np.array([0.0, 20.0], dtype),
            "X": np.ones((1, 1), dtype), "Y": np.zeros(1, np.int32)}


def check_loss_fn_is_mean(ctx):
    """Check that loss_fn averages over the examples: repeating the batch leaves it unchanged."""
    def prop(W1, b1, W2, b2, X, Y):
        once = _loss(ctx, W1, b1, W2, b2, X, Y)
        twice = _loss(ctx, W1, b1, W2, b2, np.concatenate([X, X]), np.concatenate([Y, Y]),
                      "loss_fn on the batch repeated twice")
        rtol, atol = tolerance("equivalence", np.float32(once))
        if not np.isclose(twice, once, rtol=rtol, atol=atol):
            raise CheckFailed(
                f"loss_fn gave {once:.6g} on a batch of m = {X.shape[0]} and {twice:.6g} on the "
                "same batch repeated twice; a mean would not change",
                f"ratio {twice / once:.4g}" if once else None)
    ctx.forall(rows.networks(ctx), prop, examples=8)


def _huge_logits_case(dtype, labels):
    """A network whose logits are [1000, -1000, 0] for every example, whatever x is."""
    W1 = np.zeros((2, 3), dtype)
    b1 = np.array([1.0, 0.0], dtype)  # a1 = [1, 0]
    W2 = np.array([[1000.0, 0.0], [-1000.0, 0.0], [0.0, 0.0]], dtype)
    b2 = np.zeros(3, dtype)
    Y = np.array(labels, np.int32)
    X = np.ones((Y.size, 3), dtype)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "X": X, "Y": Y}


def check_loss_fn_large_logits(ctx):
    """Check that loss_fn stays finite and correct when the logits are as large as 1e3."""
    def prop(W1, b1, W2, b2, X, Y):
        got = _loss(ctx, W1, b1, W2, b2, X, Y, "loss_fn for logits of 1e3")
        expect_finite(np.asarray(got), "loss_fn for logits of 1e3")
        expected = float(ctx.expected("loss_fn", W1, b1, W2, b2, X, Y))
        expect_close(np.float32(got), np.float32(expected), "loss_fn for logits of 1e3")
    explicit = [_huge_logits_case(ctx.dtype, labels) for labels in ([1], [0, 1, 2])]
    big = rows.networks(ctx).map(lambda c: {**c, "W2": c["W2"] * 300, "b2": c["b2"] * 300})
    ctx.forall(big, prop, examples=10, explicit=explicit)


# ---------------------------------------------------------------- gradients
def _grads(ctx, W1, b1, W2, b2, X, Y):
    return ctx.sub.call("grads", W1, b1, W2, b2, X, Y)


def expect_four_gradients(got, params):
    """grads returned (dW1, db1, dW2, db2), each shaped like its parameter."""
    if not isinstance(got, (tuple, list)):
        raise CheckFailed(
            "grads returned one array, expected four (dW1, db1, dW2, db2)",
            advice="jax.grad differentiates only the first argument unless told otherwise: "
            "argnums=(0, 1, 2, 3) gives the gradient of every parameter")
    if len(got) != 4:
        raise CheckFailed(
            f"grads returned {len(got)} arrays, expected four (dW1, db1, dW2, db2)",
            advice="argnums=(0, 1, 2, 3) gives the gradient of every parameter")
    for name, g, p in zip(rows.GRADS, got, params):
        expect_shape(g, p.shape, f"{name} from grads")


def _grads_factor(ctx, case, m):
    """The factor between grads and the reference's gradients on a new batch of m rows."""
    args = _new_batch(ctx, case, m)
    return scales.factor_of(_grads(ctx, *args), ctx.expected("grads", *args))


def wrong_gradients(got, expected, kind):
    """Names of the gradients that differ from `expected`, and the first difference."""
    wrong, first = [], None
    for name, g, e in zip(rows.GRADS, got, expected):
        try:
            expect_close(g, e, f"{name} from grads", kind)
        except CheckFailed as exc:
            wrong.append(name)
            first = first or exc
    return wrong, first


def expect_gradients_match(got, expected, kind, against, m, sizes):
    """Name the gradients that differ; when all four do, say if they are off by one factor."""
    wrong, first = wrong_gradients(got, expected, kind)
    if len(wrong) == len(rows.GRADS):
        scales.expect_unscaled(got, expected, "the gradients", m, sizes)
    if wrong:
        right = [n for n in rows.GRADS if n not in wrong]
        raise CheckFailed(
            f"{', '.join(wrong)} from grads {'differs' if len(wrong) == 1 else 'differ'} from "
            f"{against}" + (f" ({', '.join(right)} {'is' if len(right) == 1 else 'are'} right)"
                            if right else ""),
            f"{first.reason}: {first.detail}", idea=first.idea)


def check_grads_all_parameters(ctx):
    """Check that grads returns a gradient for every parameter, none of them left at zero."""
    def prop(W1, b1, W2, b2, X, Y):
        params = (W1, b1, W2, b2)
        got = _grads(ctx, *params, X, Y)
        expect_four_gradients(got, params)
        expected = ctx.expected("grads", *params, X, Y)
        zeros = [name for name, g, e in zip(rows.GRADS, got, expected)
                 if not np.any(as_array(g, name)) and np.any(np.abs(e) > 1e-4)]
        if zeros:
            raise CheckFailed(
                f"{', '.join(zeros)} from grads {'is' if len(zeros) == 1 else 'are'} all zeros, "
                f"but the loss does depend on {', '.join(n[1:] for n in zeros)}",
                advice="differentiate loss_fn with respect to every parameter: "
                "jax.grad(loss_fn, argnums=(0, 1, 2, 3))")
    ctx.forall(rows.networks(ctx), prop, examples=10, explicit=[_lively_network(ctx.dtype)])


def _lively_network(dtype):
    """A fixed small network in which every parameter moves the loss."""
    rng = np.random.default_rng(7)
    n_in, n_hidden, n_out, m = S.NETWORK_SHAPES[3]
    case = {name: rng.uniform(-1, 1, shape).astype(dtype)
            for name, shape in S.param_shapes(n_in, n_hidden, n_out, rows.LAYOUT).items()}
    case["b1"] = np.abs(case["b1"]) + 0.5  # every hidden unit active for some example
    case["X"] = rng.uniform(-1, 1, (m, n_in)).astype(dtype)
    case["Y"] = rng.integers(0, n_out, m).astype(np.int32)
    return case


def check_grads_reference(ctx):
    """Check grads against jax.grad of the reference loss, naming each gradient that differs."""
    def prop(W1, b1, W2, b2, X, Y):
        params = (W1, b1, W2, b2)
        got = _grads(ctx, *params, X, Y)
        expect_four_gradients(got, params)
        expected = ctx.expected("grads", *params, X, Y)
        expect_gradients_match(got, expected, "equivalence",
                               "jax.grad of the mean cross-entropy", X.shape[0], _sizes(W1, W2))
    scales.forall_naming_scale(ctx, rows.networks(ctx), prop,
                               lambda case, m: _grads_factor(ctx, case, m),
                               explicit=[_lively_network(ctx.dtype)])


def check_grads_numerical(ctx):
    """Check grads against central differences of the float64 mean cross-entropy."""
    def prop(W1, b1, W2, b2, X, Y):
        assume(rows.away_from_kinks(W1, b1, X))
        params = (W1, b1, W2, b2)
        got = _grads(ctx, *params, X, Y)
        expect_four_gradients(got, params)
        expected = rows.numerical_gradients(*params, X, Y)
        expect_gradients_match(got, expected, "gradient", "central differences of the mean loss",
                               X.shape[0], _sizes(W1, W2))
    scales.forall_naming_scale(ctx, rows.networks(ctx), prop,
                               lambda case, m: _grads_factor(ctx, case, m), examples=10)


# ---------------------------------------------------------------- training
def check_update_params(ctx):
    """Check that update_params takes one jax.grad step of size alpha, for any alpha."""
    def prop(W1, b1, W2, b2, X, Y, alpha):
        args = (W1, b1, W2, b2, alpha, X, Y)
        expect_all_close(ctx.sub.call("update_params", *args), ctx.expected("update_params", *args),
                         rows.PARAMS, f"update_params with alpha={alpha}")
    cases = st.tuples(rows.networks(ctx), S.alphas()).map(lambda c: {**c[0], "alpha": c[1]})
    ctx.forall(cases, prop, examples=12)


def check_returns_jax_float32(ctx):
    """Check that the functions return jax.Array results in float32, not NumPy or float64."""
    def prop(W1, b1, W2, b2, X, Y):
        params = (W1, b1, W2, b2)
        rows.expect_jax_float32(ctx, {
            "relu": (X[0],), "softmax": (X[0],), "forward": (*params, X[0]),
            "batched_forward": (*params, X), "one_hot": (Y, W2.shape[0]),
            "loss_fn": (*params, X, Y), "grads": (*params, X, Y),
            "update_params": (*params, 0.5, X, Y),
        })
    ctx.forall(rows.networks(ctx), prop, examples=3)


def check_gradient_descent_steps(ctx):
    """Check that gradient_descent takes `iterations` steps of size alpha from init_params(key)."""
    common.expect_reference_steps(ctx, lambda *a: _reference_steps(ctx, *a), layout=rows.LAYOUT)


def _reference_steps(ctx, params, X, Y, alpha, iterations):
    for _step in range(iterations):
        params = ctx.expected("update_params", *params, alpha, X, Y)
    return params


def check_training_accuracy(ctx):
    """Check that gradient_descent trains on the bundled MNIST subset past a calibrated floor."""
    common.expect_training_accuracy(ctx, layout=rows.LAYOUT, accuracy=lambda *a: _accuracy(ctx, *a))


def _accuracy(ctx, params, X, Y):
    logits = ctx.expected("batched_forward", *params, X)
    return float(np.mean(np.argmax(logits, axis=1) == Y))

# The training run starts ahead of its check, on the core the grader leaves idle.
calls_ahead = common.training_ahead("rows")
