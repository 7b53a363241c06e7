"""Stage 3 (vmap, row layout): forward for one example, batched by jax.vmap; backprop on rows."""
import numpy as np
from hypothesis import assume

from autograder.checks import common, rows, scales
from autograder.checks import strategies as S
from autograder.checks.compare import expect_all_close, expect_close, expect_shape
from autograder.checks.rows import (  # noqa: F401 - the check_* names are the registry
    check_get_accuracy,
    check_get_predictions,
    check_gradient_descent_deterministic,
    check_init_params_randomness,
    check_init_params_shapes,
    check_one_hot,
    check_one_hot_missing_classes,
    check_relu,
    check_relu_deriv,
    check_softmax_large_logits,
    check_softmax_laws,
    check_softmax_reference,
)
from autograder.grading.failures import CheckFailed

ACTIVATIONS = ("z1", "a1", "z2", "a2")
BATCH_ACTIVATIONS = ("Z1", "A1", "Z2", "A2")


def check_forward_one_example(ctx):
    """Check that forward takes ONE example x (n_in,) and returns vectors z1, a1, z2, a2."""
    rows.expect_one_example(ctx, ACTIVATIONS)


def check_batched_forward_rows(ctx):
    """Check that batched_forward(X) stacks forward(x_i) row by row, for any batch size."""
    rows.expect_rows_stack_forward(ctx, BATCH_ACTIVATIONS)


def check_batched_forward_uses_vmap(ctx):
    """Check that batched_forward is jax.vmap of forward over the rows of X."""
    rows.expect_vmap_of_forward(ctx)


def _activations(ctx, W1, b1, W2, b2, X):
    return ctx.expected("batched_forward", W1, b1, W2, b2, X)


def _backward(ctx, W1, b1, W2, b2, X, Y):
    acts = _activations(ctx, W1, b1, W2, b2, X)
    got = ctx.sub.call("backward_prop", *acts, W1, W2, X, Y)
    return got, ctx.expected("backward_prop", *acts, W1, W2, X, Y)


def _expect_unscaled_gradients(got, expected, W1, W2, X):
    scales.expect_unscaled(got, expected, "the gradients", X.shape[0],
                           {"n_in": W1.shape[1], "n_out": W2.shape[0]})


def _gradient_factor(ctx, case, m):
    """The factor between the submission's gradients and the reference's on a new batch of m."""
    W1, b1, W2, b2 = (case[name] for name in rows.PARAMS)
    X, Y = scales.new_batch(W1.shape[1], m, W2.shape[0], ctx.dtype, rows.LAYOUT)
    return scales.factor_of(*_backward(ctx, W1, b1, W2, b2, X, Y))


def check_backward_prop_reference(ctx):
    """Check backward_prop's dW1, db1, dW2, db2 against the reference for any sizes and batch."""
    def prop(W1, b1, W2, b2, X, Y):
        got, expected = _backward(ctx, W1, b1, W2, b2, X, Y)
        _expect_unscaled_gradients(got, expected, W1, W2, X)
        expect_all_close(got, expected, rows.GRADS, "backward_prop")
    scales.forall_naming_scale(ctx, rows.networks(ctx), prop,
                               lambda case, m: _gradient_factor(ctx, case, m))


def check_backward_prop_numerical(ctx):
    """Check backward_prop against central differences of the mean cross-entropy (float64)."""
    def prop(W1, b1, W2, b2, X, Y):
        assume(rows.away_from_kinks(W1, b1, X))
        got, _ = _backward(ctx, W1, b1, W2, b2, X, Y)
        expected = rows.numerical_gradients(W1, b1, W2, b2, X, Y)
        _expect_unscaled_gradients(got, expected, W1, W2, X)
        expect_all_close(got, expected, rows.GRADS, "backward_prop vs central differences",
                         "gradient")
    scales.forall_naming_scale(ctx, rows.networks(ctx), prop,
                               lambda case, m: _gradient_factor(ctx, case, m))


def check_backward_prop_bias_sums(ctx):
    """Check that db1 and db2 are vectors summed over the examples (axis 0), not over all units."""
    def prop(W1, b1, W2, b2, X, Y):
        got, expected = _backward(ctx, W1, b1, W2, b2, X, Y)
        if not isinstance(got, (tuple, list)) or len(got) != 4:
            raise CheckFailed("backward_prop should return (dW1, db1, dW2, db2)")
        for name, g, e in (("db1", got[1], expected[1]), ("db2", got[3], expected[3])):
            expect_shape(g, e.shape, f"{name} from backward_prop")
            expect_close(g, e, f"{name} from backward_prop")
    wide = rows.networks(ctx).filter(lambda c: c["b2"].shape[0] > 1 and c["X"].shape[0] > 1)
    ctx.forall(wide, prop, examples=10)


def check_update_params(ctx):
    """Check that update_params returns p - alpha * dp for every parameter and any alpha."""
    def prop(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
        args = (W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
        expect_all_close(ctx.sub.call("update_params", *args), ctx.expected("update_params", *args),
                         rows.PARAMS, f"update_params with alpha={alpha}")
    ctx.forall(S.updates(ctx.dtype, layout=rows.LAYOUT), prop)


def check_returns_jax_float32(ctx):
    """Check that the functions return jax.Array results in float32, not NumPy or float64."""
    def prop(W1, b1, W2, b2, X, Y):
        acts = _activations(ctx, W1, b1, W2, b2, X)
        rows.expect_jax_float32(ctx, {
            "relu": (X[0],), "relu_deriv": (X[0],), "softmax": (X[0],),
            "forward": (W1, b1, W2, b2, X[0]), "batched_forward": (W1, b1, W2, b2, X),
            "one_hot": (Y, W2.shape[0]), "backward_prop": (*acts, W1, W2, X, Y),
            "update_params": (W1, b1, W2, b2, W1, b1, W2, b2, 0.5),
        })
    ctx.forall(rows.networks(ctx), prop, examples=3)


def check_gradient_descent_steps(ctx):
    """Check that gradient_descent takes `iterations` steps of size alpha from init_params(key)."""
    common.expect_reference_steps(ctx, lambda *a: _reference_steps(ctx, *a), layout=rows.LAYOUT)


def _reference_steps(ctx, params, X, Y, alpha, iterations):
    for _step in range(iterations):
        acts = _activations(ctx, *params, X)
        grads = ctx.expected("backward_prop", *acts, params[0], params[2], X, Y)
        params = ctx.expected("update_params", *params, *grads, alpha)
    return params


def check_training_accuracy(ctx):
    """Check that gradient_descent trains on the bundled MNIST subset past a calibrated floor."""
    common.expect_training_accuracy(ctx, layout=rows.LAYOUT, accuracy=lambda *a: _accuracy(ctx, *a))


def _accuracy(ctx, params, X, Y):
    A2 = _activations(ctx, *params, X)[3]
    return float(np.mean(np.argmax(A2, axis=1) == Y))

# The training run starts ahead of its check, on the core the grader leaves idle.
calls_ahead = common.training_ahead("rows")
