"""Stage 7 (Haiku): the MLP module, hk.transform, and SGD on Haiku's parameter tree.

The learner's parameter names are free: the checks find the two linear layers
by shape (haiku_common.find_layers) and compare them with NumPy formulas or
with the reference's steps taken from the same numbers.
"""
import numpy as np
from hypothesis import strategies as st

from autograder.checks import common
from autograder.checks import strategies as S
from autograder.checks.columns import check_get_accuracy  # noqa: F401 - layout-free
from autograder.checks.compare import as_array, expect_close, expect_shape
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
    LAYER_NAMES,
    flatten,
    logits,
    mean_cross_entropy,
)
from autograder.grading.failures import CheckFailed


def _as_tree(W1, b1, W2, b2):
    """SPEC row-layout arrays as a Haiku-style tree (w is (inputs, outputs))."""
    return {"mlp/linear": {"w": W1.T.copy(), "b": b1}, "mlp/linear_1": {"w": W2.T.copy(), "b": b2}}


def check_update_params(ctx):
    """Check that update_params returns p - alpha * g on every leaf, with the alpha given."""
    def prop(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
        params, grads = _as_tree(W1, b1, W2, b2), _as_tree(dW1, db1, dW2, db2)
        got = ctx.sub.call("update_params", params, grads, alpha)
        if not isinstance(got, dict):
            raise CheckFailed(f"update_params returned a {type(got).__name__}, expected the "
                              "parameter tree (a dict like params)")
        got_leaves, p_leaves, g_leaves = dict(flatten(got)), flatten(params), dict(flatten(grads))
        if set(got_leaves) != {path for path, _ in p_leaves}:
            raise CheckFailed("update_params changed the tree's structure",
                              f"expected the paths {sorted(p for p, _ in p_leaves)}, "
                              f"got {sorted(got_leaves)}")
        for path, p in p_leaves:
            g, value = g_leaves[path], got_leaves[path]
            what = f"update_params(...)[{']['.join(map(repr, path))}] with alpha={alpha}"
            _explain_update(as_array(value, what), p, g, alpha)
            expect_close(value, p.astype(np.float64) - alpha * g.astype(np.float64), what)
    ctx.forall(S.updates(ctx.dtype, layout="rows"), prop)


def _explain_update(got, p, g, alpha):
    close = lambda x: np.allclose(got, x, rtol=2e-4, atol=2e-5)
    p64, g64 = p.astype(np.float64), g.astype(np.float64)
    if got.shape != p.shape or close(p64 - alpha * g64):
        return
    if close(p64 + alpha * g64) and not close(p64 - alpha * g64):
        raise CheckFailed("update_params adds alpha * g: it climbs the loss instead of descending",
                          advice="gradient descent subtracts: p - alpha * g")
    if alpha != 0.1 and close(p64 - 0.1 * g64):
        raise CheckFailed(f"update_params used a step of 0.1 instead of alpha={alpha}",
                          advice="use the alpha argument, never a hard-coded learning rate")


def _reference_step(ctx, trees, w1, b1, w2, b2, X, Y, alpha):
    """(w1, b1, w2, b2) after one reference step, and the reference loss before it."""
    new, loss = ctx.expected("train_step", trees.reference_params(w1, b1, w2, b2), X, Y, alpha)
    return trees.reference_arrays(new, w1.shape[0]), float(loss)


def _train_step_cases(ctx):
    return st.tuples(default_networks(ctx.dtype), S.alphas()).map(lambda c: {**c[0], "alpha": c[1]})


def _call_train_step(ctx, trees, w1, b1, w2, b2, X, Y, alpha):
    got = ctx.sub.call("train_step", trees.learner_params(w1, b1, w2, b2), X, Y, alpha)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise CheckFailed("train_step should return (new_params, loss)",
                          f"got {type(got).__name__}" + (f" of length {len(got)}"
                                                         if isinstance(got, (tuple, list)) else ""))
    return got


def check_train_step_params(ctx):
    """Check that train_step's new parameters are one SGD step of size alpha on the mean loss."""
    trees = Trees(ctx)

    def prop(w1, b1, w2, b2, X, Y, alpha):
        new_params, _loss = _call_train_step(ctx, trees, w1, b1, w2, b2, X, Y, alpha)
        expected, _ = _reference_step(ctx, trees, w1, b1, w2, b2, X, Y, alpha)
        expect_layers_close(new_params, expected, w1.shape[0],
                            f"train_step's new parameters (alpha={alpha})")
    ctx.forall(_train_step_cases(ctx), prop, examples=6)


def check_train_step_loss(ctx):
    """Check that train_step returns the loss of the parameters passed in, not the updated ones."""
    trees = Trees(ctx)

    def prop(w1, b1, w2, b2, X, Y, alpha):
        _new, loss = _call_train_step(ctx, trees, w1, b1, w2, b2, X, Y, alpha)
        loss = common.expect_scalar(loss, "the loss from train_step")
        before = mean_cross_entropy(logits(w1, b1, w2, b2, X), Y)
        after_arrays, _ = _reference_step(ctx, trees, w1, b1, w2, b2, X, Y, alpha)
        after = mean_cross_entropy(logits(*after_arrays, X), Y)
        if not np.isclose(before, after, rtol=1e-3) and np.isclose(loss, after, rtol=2e-4):
            raise CheckFailed("train_step returned the loss AFTER the update",
                              f"the params passed in have loss {before:.6g}; you returned "
                              f"{loss:.6g}, the loss of the new params")
        expect_close(np.float32(loss), np.float64(before), "the loss from train_step")
    ctx.forall(_train_step_cases(ctx), prop, examples=6)


def check_get_predictions(ctx):
    """Check that get_predictions returns the index of the largest logit of each row, shape (m,)."""
    def prop(Z):
        got = ctx.sub.call("get_predictions", Z)
        expected = np.argmax(Z, axis=1)
        got = expect_shape(got, expected.shape, "get_predictions(logits)")
        if not np.issubdtype(got.dtype, np.integer):
            raise CheckFailed(f"get_predictions(logits) has dtype {got.dtype}, expected integers")
        expect_close(got, expected, "get_predictions(logits)")
    distinct = lambda Z: Z.shape[1] < 2 or bool(np.all(np.diff(np.sort(Z, axis=1)[:, -2:]) > 1e-3))
    ctx.forall(S.matrices(ctx.dtype, layout="rows").filter(lambda c: distinct(c["Z"])), prop)


def _reference_steps(ctx, trees, arrays, X, Y, alpha, iterations):
    params = trees.reference_params(*arrays)
    for _step in range(iterations):
        params, _loss = ctx.expected("train_step", params, X, Y, alpha)
    return trees.reference_arrays(params, X.shape[1])


def check_gradient_descent_steps(ctx):
    """Check that gradient_descent takes `iterations` steps of alpha from model.init(key, X)."""
    trees = Trees(ctx)
    X, Y = common.small_problem(ctx, "rows")
    n_in = X.shape[1]
    for alpha, iterations in ((0.7, 3), (0.05, 1), (0.3, 0)):
        case = {"X": X, "Y": Y, "alpha": alpha, "iterations": iterations}
        try:
            start = ctx.sub.probe("model_init", function="model.init", key=ctx.random_arg(11), X=X)
            arrays = learner_arrays(start, n_in, "model.init(key, X)")
            expected = _reference_steps(ctx, trees, arrays, X, Y, alpha, iterations)
            got = ctx.sub.call("gradient_descent", X, Y, alpha, iterations, ctx.random_arg(11))
            expect_layers_close(got, expected, n_in,
                                f"gradient_descent(alpha={alpha}, iterations={iterations})",
                                "training")
        except CheckFailed as exc:
            exc.inputs = case
            raise


def check_gradient_descent_deterministic(ctx):
    """Check that gradient_descent gives the same parameters for the same key, not for another."""
    X, Y = common.small_problem(ctx, "rows")
    expect_seeded_tree(ctx, "gradient_descent", lambda seed: (X, Y, 0.5, 2, ctx.random_arg(seed)),
                       X.shape[1])


def expect_seeded_tree(ctx, function, args_for_seed, n_in, **kwargs):
    """Same key, same parameters; another key, other parameters."""
    first, again, other = (learner_arrays(ctx.sub.call(function, *args_for_seed(seed), **kwargs),
                                          n_in, f"{function}'s result") for seed in (3, 3, 4))
    for name, a, b in zip(LAYER_NAMES, first, again):
        if not np.array_equal(a, b):
            raise CheckFailed(f"{function} gave different {name} for the same key",
                              advice="draw every random number from the key argument")
    if all(np.array_equal(a, b) for a, b in zip(first, other)):
        raise CheckFailed(f"{function} gave the same parameters for two different keys",
                          advice="initialise with model.init(key, ...) using the key argument, "
                          "not a fixed jax.random.PRNGKey(0)")


def check_training_accuracy(ctx):
    """Check that gradient_descent trains on the bundled MNIST subset past a calibrated floor."""
    def accuracy(params, X, Y):
        arrays = learner_arrays(params, X.shape[1], "gradient_descent's result")
        return float(np.mean(np.argmax(logits(*arrays, X), axis=1) == Y))
    common.expect_training_accuracy(ctx, layout="rows", accuracy=accuracy)

# The training run starts ahead of its check, on the core the grader leaves idle.
calls_ahead = common.training_ahead("rows")
