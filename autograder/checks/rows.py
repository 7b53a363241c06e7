"""Checks for the row-layout contract shared by stages 3 and 5.

X is (m, n_in), one row per example; biases are vectors. `forward` handles ONE
example and `batched_forward` is its jax.vmap. Each check compares the
submission with the reference solution on inputs drawn by Hypothesis, or
checks a law that any correct version obeys.
"""
import numpy as np
from hypothesis import strategies as st

from autograder.checks import common
from autograder.checks import strategies as S
from autograder.checks.columns import (  # noqa: F401 - layout-free checks, re-exported
    check_get_accuracy,
    check_init_params_randomness,
    check_one_hot,
    check_one_hot_missing_classes,
)
from autograder.checks.compare import as_array, expect_close, expect_finite, expect_shape
from autograder.grading.failures import CheckFailed

PARAMS = ("W1", "b1", "W2", "b2")
GRADS = ("dW1", "db1", "dW2", "db2")
LAYOUT = "rows"
# The network the vmap probe runs: a shape the other checks already compile.
PROBE_SHAPE = S.NETWORK_SHAPES[3]


def networks(ctx, **kwargs):
    return S.networks(ctx.dtype, layout=LAYOUT, **kwargs)


def as_tuple(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


# ---------------------------------------------------------------- init_params
def check_init_params_shapes(ctx):
    """Check init_params: SPEC shapes (vector biases), float32, uniform on [-0.5, 0.5)."""
    def prop(n_in, n_hidden, n_out):
        got = ctx.sub.call("init_params", ctx.random_arg(0), n_in, n_hidden, n_out)
        common.expect_params(got, S.param_shapes(n_in, n_hidden, n_out, LAYOUT), ctx.dtype_name)
    ctx.forall(S.sizes(), prop, examples=8)
    common.expect_uniform_spread(
        ctx.sub.call("init_params", ctx.random_arg(1), *common.WIDE_SIZES), PARAMS)


# ---------------------------------------------------------------- activations
def check_relu(ctx):
    """Check relu against the reference on vectors and batches, zeros at the kink included."""
    def prop(z):
        expect_close(ctx.sub.call("relu", z), ctx.expected("relu", z), "relu(z)")
    ctx.forall(_vectors_or_rows(ctx), prop, examples=10)


def check_relu_deriv(ctx):
    """Check that relu_deriv is 1 where z > 0 and 0 elsewhere (0 at z = 0): floats or a mask."""
    def prop(z):
        got = common.mask_as_floats(ctx.sub.call("relu_deriv", z), z.dtype)
        expect_close(got, ctx.expected("relu_deriv", z), "relu_deriv(z)")
    zeros = {"z": np.array([0.0, -1.0, 2.0, 0.0], dtype=ctx.dtype)}
    ctx.forall(_vectors_or_rows(ctx), prop, examples=10, explicit=[zeros])


def _vectors_or_rows(ctx):
    rows = S.matrices(ctx.dtype, layout=LAYOUT).map(lambda c: {"z": c["Z"]})
    return st.one_of(S.vectors(ctx.dtype), rows)


def check_softmax_reference(ctx):
    """Check softmax of one logit vector against the reference on moderate logits."""
    def prop(z):
        expect_close(ctx.sub.call("softmax", z), ctx.expected("softmax", z), "softmax(z)")
    ctx.forall(S.vectors(ctx.dtype), prop)


def check_softmax_laws(ctx):
    """Check that softmax(z) is positive, sums to 1 and ignores a constant added to every logit."""
    def prop(z, shift):
        got = expect_finite(ctx.sub.call("softmax", z), "softmax(z)")
        expect_close(np.asarray(got.sum()), np.asarray(1.0, got.dtype), "the sum of softmax(z)",
                     against="1")
        shifted = ctx.sub.call("softmax", (z + shift).astype(z.dtype))
        expect_close(shifted, got, "softmax(z + c) for a constant c", against="softmax(z)")
    cases = st.tuples(S.vectors(ctx.dtype), st.sampled_from((3.0, -7.5, 20.0)))
    ctx.forall(cases.map(lambda c: {"z": c[0]["z"], "shift": c[1]}), prop)


def check_softmax_large_logits(ctx):
    """Check that softmax stays finite and correct for logits as large as 1e3."""
    def prop(z):
        got = ctx.sub.call("softmax", z)
        expect_finite(got, "softmax(z) for large logits")
        expect_close(got, ctx.expected("softmax", z), "softmax(z) for large logits")
    big = {"z": np.array([1000.0, 999.0, -1000.0], dtype=ctx.dtype)}
    ctx.forall(S.vectors(ctx.dtype, bound=1000.0), prop, explicit=[big])


# ---------------------------------------------------------------- one example, then vmap
def expect_one_example(ctx, names):
    """forward(W1, b1, W2, b2, x) on ONE example x (n_in,) gives vectors matching the reference."""
    def prop(W1, b1, W2, b2, X, Y):
        x = X[0]
        got = ctx.sub.call("forward", W1, b1, W2, b2, x)
        expected = as_tuple(ctx.expected("forward", W1, b1, W2, b2, x))
        got = as_tuple(got) if len(expected) > 1 else (got,)
        if len(got) != len(expected):
            raise CheckFailed(f"forward should return {len(expected)} arrays "
                              f"({', '.join(names)}), got {len(got)}")
        for g, e, name in zip(got, expected, names):
            g = as_array(g, f"{name} from forward(x)")
            if g.ndim != 1:
                raise CheckFailed(f"{name} from forward(x) has shape {g.shape} for one example "
                                  f"x of shape {x.shape}, expected a vector of shape {e.shape}")
            expect_close(g, e, f"{name} from forward(x)")
    ctx.forall(networks(ctx), prop, examples=10)


def expect_rows_stack_forward(ctx, names):
    """batched_forward(X) equals forward(x_i) stacked row by row, and the reference."""
    def prop(W1, b1, W2, b2, X, Y):
        got = as_tuple(ctx.sub.call("batched_forward", W1, b1, W2, b2, X))
        expected = as_tuple(ctx.expected("batched_forward", W1, b1, W2, b2, X))
        if len(got) != len(expected):
            raise CheckFailed(f"batched_forward should return {len(expected)} arrays "
                              f"({', '.join(names)}), got {len(got)}")
        rows = [as_tuple(ctx.sub.call("forward", W1, b1, W2, b2, x)) for x in X]
        for k, name in enumerate(names):
            batched = expect_shape(got[k], expected[k].shape, f"{name} from batched_forward(X)")
            for i, row in enumerate(rows):
                if len(row) != len(names):
                    raise CheckFailed(f"forward should return {len(names)} arrays, got {len(row)}")
                expect_close(batched[i], row[k],
                             f"row {i} of {name} from batched_forward(X) vs forward(X[{i}])")
            expect_close(batched, expected[k], f"{name} from batched_forward(X)")
    ctx.forall(networks(ctx), prop, examples=10)


def expect_vmap_of_forward(ctx):
    """batched_forward runs forward under jax.vmap: one batched row x, unbatched parameters."""
    n_in, n_hidden, n_out, m = PROBE_SHAPE
    rng = np.random.default_rng(5)
    params = [rng.uniform(-1, 1, shape).astype(ctx.dtype)
              for shape in S.param_shapes(n_in, n_hidden, n_out, LAYOUT).values()]
    X = rng.uniform(-1, 1, (m, n_in)).astype(ctx.dtype)
    facts = ctx.sub.probe("forward_calls_in_batched_forward", function="batched_forward",
                          params=params, X=X)
    judge_vmap_facts(facts, m)


def judge_vmap_facts(facts, m):
    """Pass or fail from what the probe saw `forward` receive."""
    calls = [c for c in facts["calls"] if c]
    if not calls:
        raise CheckFailed(
            "batched_forward never calls forward",
            advice="a batch written out by hand gives the right numbers, but this stage is about "
            "letting JAX do the batching: return jax.vmap(forward, in_axes=(None, None, None, "
            "None, 0))(W1, b1, W2, b2, X)")
    vmapped = [c for c in calls if len(c) >= 5 and c[4]["batched"] and c[4]["ndim"] == 1]
    if vmapped:
        batched_params = [name for name, arg in zip(PARAMS, vmapped[0][:4]) if arg["batched"]]
        if batched_params:
            raise CheckFailed(
                f"jax.vmap maps over {', '.join(batched_params)} as well as X",
                advice="every example shares the same parameters: give them in_axes None and map "
                "only X over axis 0, in_axes=(None, None, None, None, 0)")
        return
    x = calls[0][4] if len(calls[0]) >= 5 else None
    if x is None:
        raise CheckFailed("batched_forward calls forward with fewer than five arguments",
                          advice="call forward(W1, b1, W2, b2, x) through jax.vmap")
    if x["ndim"] != 1:
        raise CheckFailed(
            f"forward received the whole batch (an x with {x['ndim']} dimensions), not one example",
            advice="forward is written for ONE example x of shape (n_in,); jax.vmap feeds it one row "
            "at a time: jax.vmap(forward, in_axes=(None, None, None, None, 0))")
    if not x["tracer"]:
        raise CheckFailed(
            f"batched_forward calls forward {facts['count']} times on concrete rows "
            f"(a Python loop over the {m} examples)",
            advice="the numbers are right, but a Python loop runs one small computation per example; "
            "jax.vmap turns forward into one batched computation")
    raise CheckFailed(
        f"forward was traced with a {x['type']}, not batched by jax.vmap",
        advice="jax.lax.map and jax.lax.scan loop over the rows; jax.vmap vectorises them")


# ---------------------------------------------------------------- labels and outputs
def check_get_predictions(ctx):
    """Check that get_predictions returns the highest-scoring class of each row, shape (m,)."""
    def prop(Z):
        got = ctx.sub.call("get_predictions", Z)
        expected = np.argmax(Z, axis=1)
        got = expect_shape(got, expected.shape, "get_predictions")
        if not np.issubdtype(got.dtype, np.integer):
            raise CheckFailed(f"get_predictions returned dtype {got.dtype}, expected integers")
        expect_close(got, expected, "get_predictions")
    strategy = S.matrices(ctx.dtype, layout=LAYOUT).filter(lambda c: _distinct_row_max(c["Z"]))
    ctx.forall(strategy, prop)


def _distinct_row_max(Z):
    top2 = np.sort(Z, axis=1)[:, -2:]
    return Z.shape[1] < 2 or bool(np.all(top2[:, 1] - top2[:, 0] > 1e-3))


def expect_jax_float32(ctx, calls):
    """Every call in {name: args} returns jax.Array leaves, float32 where floating."""
    for name, args in calls.items():
        reply = ctx.sub.call_full(name, *args)
        not_jax = [t for t in reply["types"] if t != "jax.Array"]
        if not_jax:
            raise CheckFailed(f"{name} returned {not_jax[0]}, expected jax.Array")
        for leaf in as_tuple(reply["value"]):
            leaf = as_array(leaf, f"the result of {name}")
            if leaf.dtype.kind == "f" and leaf.dtype.itemsize != 4:
                raise CheckFailed(f"{name} returned {leaf.dtype}, expected float32")


# ---------------------------------------------------------------- training
def mean_cross_entropy_rows(W1, b1, W2, b2, X, Y):
    """Mean cross-entropy of the network in the row layout, in float64."""
    Z2 = np.maximum(X @ W1.T + b1, 0) @ W2.T + b2
    top = Z2.max(axis=1)
    log_norm = top + np.log(np.exp(Z2 - top[:, None]).sum(axis=1))
    return float(np.mean(log_norm - Z2[np.arange(Y.size), Y]))


def numerical_gradients(W1, b1, W2, b2, X, Y):
    """Central differences of the float64 mean cross-entropy for every parameter."""
    params = [np.asarray(p, np.float64) for p in (W1, b1, W2, b2)]
    X64 = X.astype(np.float64)
    return common.central_differences(lambda *p: mean_cross_entropy_rows(*p, X64, Y), params)


def away_from_kinks(W1, b1, X):
    """True when no hidden pre-activation sits near the ReLU kink, where finite differences break."""
    Z1 = X.astype(np.float64) @ np.asarray(W1, np.float64).T + b1
    return bool(np.abs(Z1).min() > 1e-3)


def expect_gradient_descent_deterministic(ctx):
    X, Y = common.small_problem(ctx, LAYOUT)
    common.expect_seeded(ctx, "gradient_descent",
                         lambda seed: (X, Y, 0.5, 2, ctx.random_arg(seed)), PARAMS)


def check_gradient_descent_deterministic(ctx):
    """Check that gradient_descent gives the same parameters for the same key."""
    expect_gradient_descent_deterministic(ctx)
