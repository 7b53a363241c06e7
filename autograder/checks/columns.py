"""Checks for the column-layout contract shared by stages 1, 2 and 4.

X is (n_in, m), one column per example; biases are column vectors. Each check
compares the submission with the reference solution on inputs drawn by
Hypothesis, or checks a law that any correct version obeys.
"""
import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from autograder.checks import common, scales
from autograder.checks import strategies as S
from autograder.checks.compare import (
    expect_all_close,
    expect_close,
    expect_finite,
    expect_shape,
    expect_unchanged,
)
from autograder.grading.failures import CheckFailed

PARAMS = ("W1", "b1", "W2", "b2")
GRADS = ("dW1", "db1", "dW2", "db2")
ACTIVATIONS = ("Z1", "A1", "Z2", "A2")


def check_init_params_shapes(ctx):
    """Check that init_params gives the SPEC shapes for any sizes, uniform on [-0.5, 0.5)."""
    def prop(n_in, n_hidden, n_out):
        got = ctx.sub.call("init_params", ctx.random_arg(0), n_in, n_hidden, n_out)
        common.expect_params(got, S.param_shapes(n_in, n_hidden, n_out, "columns"), ctx.dtype_name)
    ctx.forall(S.sizes(), prop, examples=8)
    common.expect_uniform_spread(
        ctx.sub.call("init_params", ctx.random_arg(1), *common.WIDE_SIZES), PARAMS)


def check_init_params_randomness(ctx):
    """Check that init_params draws only from its rng/key: same one, same numbers; another, others."""
    common.expect_seeded(ctx, "init_params", lambda seed: (ctx.random_arg(seed), 6, 5, 4), PARAMS)
    common.expect_distinct_draws(ctx.sub.call("init_params", ctx.random_arg(3), 6, 5, 4), PARAMS)


def _call_pure(ctx, name, *args):
    """`name(*args)`, failing if it modified an argument: the function's own check fails at once,
    whatever the value it returns (a later check would blame its caller, or pass)."""
    reply = ctx.sub.call_full(name, *args, return_args=True)
    expect_unchanged(args, reply["args_after"], _arg_names(name), name)
    return reply["value"]


def check_relu(ctx):
    """Check relu against the reference, zeros at the kink included."""
    def prop(Z):
        expect_close(_call_pure(ctx, "relu", Z), ctx.expected("relu", Z), "relu(Z)")
    ctx.forall(S.matrices(ctx.dtype), prop)


def check_relu_deriv(ctx):
    """Check that relu_deriv is 1 where Z > 0 and 0 elsewhere (0 at Z = 0): floats or a mask."""
    def prop(Z):
        got = common.mask_as_floats(_call_pure(ctx, "relu_deriv", Z), Z.dtype)
        expect_close(got, ctx.expected("relu_deriv", Z), "relu_deriv(Z)")
    zeros = {"Z": np.array([[0.0, -1.0], [2.0, 0.0]], dtype=ctx.dtype)}
    ctx.forall(S.matrices(ctx.dtype), prop, explicit=[zeros])


def check_softmax_reference(ctx):
    """Check softmax against the reference on moderate logits."""
    def prop(Z):
        expect_close(_call_pure(ctx, "softmax", Z), ctx.expected("softmax", Z), "softmax(Z)")
    ctx.forall(S.matrices(ctx.dtype), prop)


def check_softmax_laws(ctx):
    """Check that softmax columns are positive, sum to 1 and ignore a constant added to a column."""
    def prop(Z, shift):
        got = expect_finite(ctx.sub.call("softmax", Z), "softmax(Z)")
        expect_close(got.sum(axis=0), np.ones(Z.shape[1]), "each column sum of softmax(Z)",
                     against="1")
        shifted = ctx.sub.call("softmax", (Z + shift).astype(Z.dtype))
        expect_close(shifted, got, "softmax(Z + c) for a constant c per column",
                     against="softmax(Z)")
    cases = st.tuples(S.matrices(ctx.dtype), st.sampled_from((3.0, -7.5, 20.0)))
    ctx.forall(cases.map(lambda c: {"Z": c[0]["Z"], "shift": c[1]}), prop)


def check_softmax_large_logits(ctx):
    """Check that softmax stays finite and correct for logits as large as 1e3."""
    def prop(Z):
        got = ctx.sub.call("softmax", Z)
        expect_finite(got, "softmax(Z) for large logits")
        expect_close(got, ctx.expected("softmax", Z), "softmax(Z) for large logits")
    big = {"Z": np.array([[1000.0, -1000.0], [999.0, -999.0], [0.0, -1000.0]], dtype=ctx.dtype)}
    ctx.forall(S.matrices(ctx.dtype, bound=1000.0), prop, explicit=[big])


def check_forward_prop(ctx):
    """Check forward_prop's Z1, A1, Z2, A2 against the reference for any sizes and batch."""
    def prop(W1, b1, W2, b2, X, Y):
        got = _call_pure(ctx, "forward_prop", W1, b1, W2, b2, X)
        expect_all_close(got, ctx.expected("forward_prop", W1, b1, W2, b2, X), ACTIVATIONS,
                         "forward_prop")
    ctx.forall(S.networks(ctx.dtype), prop)


def check_one_hot(ctx):
    """Check one_hot against the reference: a single 1 per example, floats (either layout)."""
    def prop(Y, num_classes):
        got = _call_pure(ctx, "one_hot", Y, num_classes)
        expect_close(got, ctx.expected("one_hot", Y, num_classes), f"one_hot(Y, {num_classes})")
        common.expect_float(got, "one_hot(Y)")
    ctx.forall(S.label_batches(), prop)


def check_one_hot_missing_classes(ctx):
    """Check that one_hot keeps num_classes classes when the largest ones are absent from Y.

    The reference's result gives the shape, so this serves both layouts.
    """
    labels = ([0, 1, 1], [3], [2, 0]) if ctx.fixed_seed(0) == 0 else ([1, 0, 0], [2], [3, 1])
    for Y in (np.array(y, np.int32) for y in labels):
        for args, call in (((Y,), f"one_hot(Y={Y.tolist()})"),
                           ((Y, 5), f"one_hot(Y={Y.tolist()}, num_classes=5)")):
            expected = ctx.expected("one_hot", *args)
            got = expect_shape(ctx.sub.call("one_hot", *args), expected.shape, call)
            expect_close(got, expected, call)


def _backward_args(ctx, W1, b1, W2, b2, X):
    return ctx.expected("forward_prop", W1, b1, W2, b2, X)


def _sizes(W1, W2):
    return {"n_in": W1.shape[1], "n_out": W2.shape[0]}


def _expect_unscaled_gradients(got, expected, W1, W2, X):
    scales.expect_unscaled(got, expected, "the gradients", X.shape[1], _sizes(W1, W2))


def _gradient_factor(ctx, case, m):
    """The factor between the submission's gradients and the reference's on a new batch of m."""
    W1, b1, W2, b2 = (case[name] for name in PARAMS)
    X, Y = scales.new_batch(W1.shape[1], m, W2.shape[0], ctx.dtype, "columns")
    acts = _backward_args(ctx, W1, b1, W2, b2, X)
    return scales.factor_of(ctx.sub.call("backward_prop", *acts, W1, W2, X, Y),
                            ctx.expected("backward_prop", *acts, W1, W2, X, Y))


def check_backward_prop_reference(ctx):
    """Check backward_prop's dW1, db1, dW2, db2 against the reference for any sizes and batch."""
    def prop(W1, b1, W2, b2, X, Y):
        acts = _backward_args(ctx, W1, b1, W2, b2, X)
        got = _call_pure(ctx, "backward_prop", *acts, W1, W2, X, Y)
        expected = ctx.expected("backward_prop", *acts, W1, W2, X, Y)
        _expect_unscaled_gradients(got, expected, W1, W2, X)
        expect_all_close(got, expected, GRADS, "backward_prop")
    scales.forall_naming_scale(ctx, S.networks(ctx.dtype), prop,
                               lambda case, m: _gradient_factor(ctx, case, m))


def check_backward_prop_numerical(ctx):
    """Check backward_prop against central differences of the mean cross-entropy (float64)."""
    def prop(W1, b1, W2, b2, X, Y):
        params = [np.asarray(p, np.float64) for p in (W1, b1, W2, b2)]
        Z1 = params[0] @ X + params[1]
        assume(np.abs(Z1).min() > 1e-3)  # finite differences are meaningless at the ReLU kink
        acts = _backward_args(ctx, W1, b1, W2, b2, X)
        got = ctx.sub.call("backward_prop", *acts, W1, W2, X, Y)
        loss = lambda *p: common.mean_cross_entropy_columns(*p, X.astype(np.float64), Y)
        expected = common.central_differences(loss, params)
        _expect_unscaled_gradients(got, expected, W1, W2, X)
        expect_all_close(got, expected, GRADS, "backward_prop vs central differences", "gradient")
    scales.forall_naming_scale(ctx, S.networks(ctx.dtype), prop,
                               lambda case, m: _gradient_factor(ctx, case, m))


def check_backward_prop_bias_sums(ctx):
    """Check that db1 and db2 are column vectors summed over the examples, not over all units."""
    def prop(W1, b1, W2, b2, X, Y):
        acts = _backward_args(ctx, W1, b1, W2, b2, X)
        got = ctx.sub.call("backward_prop", *acts, W1, W2, X, Y)
        if not isinstance(got, (tuple, list)) or len(got) != 4:
            raise CheckFailed("backward_prop should return (dW1, db1, dW2, db2)")
        expected = ctx.expected("backward_prop", *acts, W1, W2, X, Y)
        for name, g, e in (("db1", got[1], expected[1]), ("db2", got[3], expected[3])):
            expect_shape(g, e.shape, f"{name} from backward_prop")
            expect_close(g, e, f"{name} from backward_prop")
    ctx.forall(S.networks(ctx.dtype).filter(lambda c: c["b2"].shape[0] > 1), prop)


def check_update_params(ctx):
    """Check that update_params returns p - alpha * dp for every parameter and any alpha."""
    def prop(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
        args = (W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
        got = _call_pure(ctx, "update_params", *args)
        expect_all_close(got, ctx.expected("update_params", *args), PARAMS,
                         f"update_params with alpha={alpha}")
    ctx.forall(S.updates(ctx.dtype), prop)


def check_no_mutation(ctx):
    """Check that no function modifies its arguments in place."""
    def prop(W1, b1, W2, b2, X, Y):
        acts = _backward_args(ctx, W1, b1, W2, b2, X)
        grads = ctx.expected("backward_prop", *acts, W1, W2, X, Y)
        calls = {
            "relu": (X,), "softmax": (X,), "forward_prop": (W1, b1, W2, b2, X),
            "one_hot": (Y, W2.shape[0]),
            "backward_prop": (*acts, W1, W2, X, Y),
            "update_params": (W1, b1, W2, b2, *grads, 0.5),
        }
        for name, args in calls.items():
            reply = ctx.sub.call_full(name, *args, return_args=True)
            expect_unchanged(args, reply["args_after"], _arg_names(name), name)
    ctx.forall(S.networks(ctx.dtype), prop, examples=5)


def _arg_names(function):
    return {
        "relu": ("Z",), "relu_deriv": ("Z",), "softmax": ("Z",), "forward_prop": (*PARAMS, "X"),
        "one_hot": ("Y",),
        "backward_prop": (*ACTIVATIONS, "W1", "W2", "X", "Y"),
        "update_params": (*PARAMS, *GRADS),
    }[function]


def check_get_predictions(ctx):
    """Check that get_predictions returns the most probable class of each column, shape (m,)."""
    def prop(Z):
        A2 = ctx.expected("softmax", Z)
        got = ctx.sub.call("get_predictions", A2)
        expected = np.argmax(A2, axis=0)
        got = expect_shape(got, expected.shape, "get_predictions(A2)")
        if not np.issubdtype(got.dtype, np.integer):
            raise CheckFailed(f"get_predictions(A2) has dtype {got.dtype}, expected integers")
        expect_close(got, expected, "get_predictions(A2)")
    ctx.forall(S.matrices(ctx.dtype).filter(lambda c: _distinct_max(c["Z"], 0)), prop)


def _distinct_max(Z, axis):
    top2 = np.sort(Z, axis=axis)[-2:] if axis == 0 else np.sort(Z, axis=axis)[:, -2:].T
    return Z.shape[axis] < 2 or bool(np.all(top2[1] - top2[0] > 1e-3))


def check_get_accuracy(ctx):
    """Check that get_accuracy is the fraction of matching labels, in [0, 1]."""
    def prop(Y, num_classes):
        predictions = np.roll(Y, 1)
        got = common.expect_scalar(ctx.sub.call("get_accuracy", predictions, Y), "get_accuracy")
        expected = float(np.mean(predictions == Y))
        if not 0.0 <= got <= 1.0:
            raise CheckFailed(f"get_accuracy returned {got}, outside [0, 1]")
        expect_close(np.float64(got), np.float64(expected), "get_accuracy(predictions, Y)",
                     "training")
    ctx.forall(S.label_batches(), prop)


def check_gradient_descent_steps(ctx):
    """Check that gradient_descent takes exactly `iterations` steps of size alpha from init_params(rng)."""
    common.expect_reference_steps(
        ctx,
        reference_steps=lambda params, X, Y, alpha, n: _reference_steps(ctx, params, X, Y, alpha, n),
        layout="columns",
    )


def _reference_steps(ctx, params, X, Y, alpha, iterations):
    for _step in range(iterations):
        acts = ctx.expected("forward_prop", *params, X)
        grads = ctx.expected("backward_prop", *acts, params[0], params[2], X, Y)
        params = ctx.expected("update_params", *params, *grads, alpha)
    return params


def check_gradient_descent_deterministic(ctx):
    """Check that gradient_descent gives the same parameters for the same rng/key."""
    X, Y = common.small_problem(ctx, "columns")
    common.expect_seeded(ctx, "gradient_descent",
                         lambda seed: (X, Y, 0.5, 2, ctx.random_arg(seed)), PARAMS)


def check_training_accuracy(ctx):
    """Check that gradient_descent trains on the bundled MNIST subset past a calibrated floor."""
    common.expect_training_accuracy(ctx, layout="columns",
                                    accuracy=lambda params, X, Y: _accuracy(ctx, params, X, Y))


def _accuracy(ctx, params, X, Y):
    A2 = ctx.expected("forward_prop", *params, X)[3]
    return float(np.mean(np.argmax(A2, axis=0) == Y))
