"""Building blocks shared by the checks of every stage."""
import numpy as np

from autograder.checks.compare import (
    as_array,
    expect_float_dtype,
    expect_shape,
    expect_tree_close,
    expect_unchanged,
)
from autograder.grading.failures import CheckFailed


def expect_float(got, what):
    if not np.issubdtype(as_array(got, what).dtype, np.floating):
        raise CheckFailed(f"{what} has dtype {np.asarray(got).dtype}, expected a float array")


def mask_as_floats(got, dtype):
    """A boolean mask as floats of `dtype` (NumPy and JAX multiply a mask as 0s and 1s, so the
    contract accepts one wherever a 0/1 array multiplies); any other value as it is."""
    if isinstance(got, np.ndarray) and got.dtype == bool:
        return got.astype(dtype)
    return got


def expect_scalar(got, what):
    """A Python float or a 0-d/size-1 array, as a float."""
    array = as_array(got, what)
    if array.size != 1:
        raise CheckFailed(f"{what} returned an array of shape {array.shape}, expected one number")
    return float(array.reshape(()))


def _leaves(params, names):
    if isinstance(params, dict):
        return [params.get(n) for n in names]
    if isinstance(params, (tuple, list)) and len(params) == len(names):
        return list(params)
    raise CheckFailed(f"expected the parameters ({', '.join(names)}), got {type(params).__name__}"
                      + (f" of length {len(params)}" if isinstance(params, (tuple, list)) else ""))


def expect_params(got, shapes, dtype_name):
    """Parameters with the SPEC shapes, a float dtype, values in [-0.5, 0.5)."""
    for name, value in zip(shapes, _leaves(got, list(shapes))):
        array = expect_shape(value, shapes[name], name)
        expect_float(array, name)
        expect_float_dtype(array, name)
        if dtype_name == "float32" and array.dtype != np.float32:
            raise CheckFailed(f"{name} has dtype {array.dtype}, expected float32")
        if array.size and not (array.min() >= -0.5 and array.max() < 0.5):
            raise CheckFailed(f"{name} has values in [{array.min():.3g}, {array.max():.3g}], "
                              "expected them in [-0.5, 0.5)")


WIDE_SIZES = (5, 400, 400)  # n_in, n_hidden, n_out: every parameter gets >= 400 draws


def expect_uniform_spread(params, names):
    """Each parameter of a wide network looks uniform on [-0.5, 0.5): spread, mean, std."""
    for name, leaf in zip(names, _leaves(params, names)):
        values = as_array(leaf, name).ravel().astype(np.float64)
        mean, std = float(values.mean()), float(values.std())
        if values.min() > -0.45 or values.max() < 0.45 or abs(mean) > 0.06 or abs(std - 12**-0.5) > 0.04:
            raise CheckFailed(
                f"{name} does not look uniform on [-0.5, 0.5)",
                f"init_params(key, {', '.join(map(str, WIDE_SIZES))}): {name} has {values.size} values "
                f"with min {values.min():.3g}, max {values.max():.3g}, mean {mean:.3g}, std {std:.3g} "
                "(uniform: about -0.5, 0.5, 0 and 0.289); biases are drawn like the weights")


def expect_distinct_draws(params, names):
    """No two parameters start with the same number (one key reused for several draws)."""
    firsts = {}
    for name, leaf in zip(names, _leaves(params, names)):
        first = float(as_array(leaf, name).ravel()[0])
        if first in firsts:
            raise CheckFailed(f"{firsts[first]} and {name} start with the same random number",
                              advice="each array needs its own subkey: split the key (jax.random.split) "
                              "and use every subkey once")
        firsts[first] = name


def expect_seeded(ctx, function, args_for_seed, names):
    """Same rng/key, same result; another rng/key, another result."""
    first = ctx.sub.call(function, *args_for_seed(3))
    again = ctx.sub.call(function, *args_for_seed(3))
    other = ctx.sub.call(function, *args_for_seed(4))
    first_leaves, again_leaves = _leaves(first, names), _leaves(again, names)
    for name, a, b in zip(names, first_leaves, again_leaves):
        if not np.array_equal(as_array(a, name), as_array(b, name)):
            raise CheckFailed(f"{function} gave different {name} for the same rng/key",
                              advice="draw every random number from the rng/key argument, "
                              "never from np.random or a global key")
    if all(np.array_equal(a, b) for a, b in zip(first_leaves, _leaves(other, names))):
        raise CheckFailed(f"{function} gave the same parameters for two different rngs/keys",
                          advice="use the rng/key argument for every draw")


def mean_cross_entropy_columns(W1, b1, W2, b2, X, Y):
    """Mean cross-entropy of the network in the column layout, in float64."""
    Z2 = W2 @ np.maximum(W1 @ X + b1, 0) + b2
    top = Z2.max(axis=0)
    log_norm = top + np.log(np.exp(Z2 - top).sum(axis=0))
    return float(np.mean(log_norm - Z2[Y, np.arange(Y.size)]))


def central_differences(loss, params, h=1e-6):
    """Numerical gradient of loss(*params) with respect to every entry of every param."""
    grads = []
    for i, p in enumerate(params):
        grad = np.zeros_like(p)
        for index in np.ndindex(p.shape):
            plus, minus = [q.copy() for q in params], [q.copy() for q in params]
            plus[i][index] += h
            minus[i][index] -= h
            grad[index] = (loss(*plus) - loss(*minus)) / (2 * h)
        grads.append(grad)
    return grads


def small_problem(ctx, layout, n_in=6, m=8):
    """A fixed small training problem with labels below 10."""
    rng = np.random.default_rng(ctx.fixed_seed(2024))
    X = rng.uniform(-1, 1, (n_in, m)).astype(ctx.dtype)
    Y = rng.integers(0, 10, m).astype(np.int32)
    return (X, Y) if layout == "columns" else (X.T.copy(), Y)


def expect_reference_steps(ctx, reference_steps, layout, names=("W1", "b1", "W2", "b2")):
    """gradient_descent == `iterations` reference steps from the submission's own init."""
    X, Y = small_problem(ctx, layout)
    n_in = X.shape[0] if layout == "columns" else X.shape[1]
    for alpha, iterations in ((0.7, 3), (0.05, 1), (0.3, 0)):
        case = {"X": X, "Y": Y, "alpha": alpha, "iterations": iterations}
        try:
            start = ctx.sub.call("init_params", ctx.random_arg(11), n_in)
            try:
                expected = reference_steps(start, X, Y, alpha, iterations)
            except Exception as exc:  # noqa: BLE001 - the submission's init gave unusable params
                raise CheckFailed(f"init_params(key, {n_in}) returned parameters the network "
                                  f"cannot use ({type(exc).__name__})",
                                  str(exc).splitlines()[0][:200]) from None
            args = (X, Y, alpha, iterations, ctx.random_arg(11))
            reply = ctx.sub.call_full("gradient_descent", *args, return_args=True)
            expect_unchanged(args, reply["args_after"], ("X", "Y"), "gradient_descent")
            got = reply["value"]
            expect_tree_close(got, expected, names,
                              f"gradient_descent(alpha={alpha}, iterations={iterations})",
                              "training")
        except CheckFailed as exc:
            exc.inputs = case
            raise


def training_call(ctx, layout):
    """(function, arguments) of the training run of expect_training_accuracy.

    The longest call of a stage: the engine starts it ahead, in a worker of its
    own (Submission.call_ahead), if the stage's checks name it in calls_ahead.
    """
    from autograder.data import load_mnist

    settings = ctx.stage.training
    X, Y = load_mnist("train", layout=layout)
    return "gradient_descent", (X, Y, settings["alpha"], settings["iterations"],
                                ctx.random_arg(0))


def training_ahead(layout):
    """A stage's calls_ahead(ctx, check_ids): its training run, when training_accuracy runs."""
    def calls_ahead(ctx, check_ids):
        return [training_call(ctx, layout)] if "training_accuracy" in check_ids else []
    return calls_ahead


def expect_training_accuracy(ctx, layout, accuracy):
    """Train on the bundled MNIST subset; the validation accuracy must reach the floor."""
    from autograder.data import load_mnist

    settings = ctx.stage.training
    X_val, Y_val = load_mnist("validation", layout=layout)
    function, args = training_call(ctx, layout)
    params = ctx.sub.call(function, *args)
    try:
        reached = accuracy(params, X_val, Y_val)
    except Exception as exc:  # noqa: BLE001 - wrong shapes or types from the submission
        raise CheckFailed("the trained parameters do not fit the network",
                          f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}") from None
    if not reached >= settings["floor"]:
        raise CheckFailed(
            f"validation accuracy {reached:.3f} after {settings['iterations']} steps of "
            f"alpha={settings['alpha']}, below the floor {settings['floor']}",
            advice="the floor sits below the accuracy the reference reaches on every one of many seeds")
