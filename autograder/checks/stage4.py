"""Stage 4 (jit, column layout): stage 2's checks plus the rules of jax.jit.

The stage-4 checks ask the worker's probes (autograder/probes/stage4.py) for
facts: whether a function is a jax.jit function, which functions JAX traced
during each call, what a trace printed or left in a global, the outermost
jaxpr of train_step. The verdicts are made here from those facts.
"""
import numpy as np
from hypothesis import strategies as st

from autograder.checks import common
from autograder.checks import strategies as S
from autograder.checks.columns import (  # noqa: F401 - the check_* names are the registry
    PARAMS,
    check_backward_prop_bias_sums,
    check_backward_prop_numerical,
    check_backward_prop_reference,
    check_forward_prop,
    check_get_accuracy,
    check_get_predictions,
    check_gradient_descent_deterministic,
    check_gradient_descent_steps,
    check_init_params_randomness,
    check_init_params_shapes,
    check_one_hot,
    check_one_hot_missing_classes,
    check_relu,
    check_relu_deriv,
    check_softmax_large_logits,
    check_softmax_laws,
    check_softmax_reference,
    check_update_params,
)
from autograder.checks.compare import expect_all_close, expect_close, expect_shape
from autograder.checks.stage2 import check_returns_jax_float32  # noqa: F401 - same contract
from autograder.grading.failures import CheckFailed

# Every function SPEC.md asks to jit, leaves first: a function's own trace then
# happens in its own call, not nested in a caller's.
JITTED = ("relu", "relu_deriv", "softmax", "one_hot", "get_predictions", "get_accuracy",
          "update_params", "init_params", "forward_prop", "backward_prop", "train_step")
# One of strategies.NETWORK_SHAPES, so that these calls reuse programs other checks compile.
USUAL_SHAPE = (5, 3, 3, 7)
# Sizes no other check uses: the first call with them must trace afresh.
FRESH_SHAPE = (6, 4, 5, 3)
JIT_DOCS = "JAX docs: 'Just-in-time compilation'"
SHARP_BITS = "JAX docs: '🔪 JAX - The Sharp Bits 🔪', pure functions"
TRACERS_IN_GLOBALS = (
    "a jitted function appended to or assigned a global while being traced: the global gets "
    "placeholders (tracers), not numbers, and only when JAX traces, not on every call. Return "
    f"what you want to keep instead ({SHARP_BITS})")


def _network(shape, seed, dtype):
    """Parameters, X and Y of the given (n_in, n_hidden, n_out, m), as plain NumPy."""
    n_in, n_hidden, n_out, m = shape
    rng = np.random.default_rng(seed)
    case = {name: rng.uniform(-1, 1, s).astype(dtype)
            for name, s in S.param_shapes(n_in, n_hidden, n_out).items()}
    case["X"] = rng.uniform(-1, 1, (n_in, m)).astype(dtype)
    case["Y"] = rng.integers(0, n_out, m).astype(np.int32)
    return case


def _call(ctx, name, net, alpha=0.5, seed=0):
    """(args, kwargs) for one call of `name` on the network `net`."""
    W1, b1, W2, b2, X, Y = (net[k] for k in ("W1", "b1", "W2", "b2", "X", "Y"))
    params = (W1, b1, W2, b2)
    acts = ctx.expected("forward_prop", *params, X)
    grads = ctx.expected("backward_prop", *acts, W1, W2, X, Y)
    args = {
        "init_params": (ctx.random_arg(seed), X.shape[0], W1.shape[0], W2.shape[0]),
        "relu": (acts[0],), "relu_deriv": (acts[0],), "softmax": (acts[2],),
        "forward_prop": (*params, X),
        "one_hot": (Y, W2.shape[0]),
        "backward_prop": (*acts, W1, W2, X, Y),
        "update_params": (*params, *grads, alpha),
        "train_step": (*params, X, Y, alpha),
        "get_predictions": (acts[3],),
        "get_accuracy": (np.argmax(acts[3], axis=0).astype(np.int32), Y),
        "gradient_descent": (X, Y, alpha, 2, ctx.random_arg(seed)),
    }[name]
    return args, {}


def _report(ctx, name, calls, trace_only=False):
    return ctx.sub.probe("compile_report", function=name, fn=name, calls=calls,
                         trace_only=trace_only)


def check_jitted(ctx):
    """Check that every function but gradient_descent is compiled with jax.jit."""
    net = _network(USUAL_SHAPE, ctx.fixed_seed(0), ctx.dtype)
    plain = []
    for name in JITTED:
        report = _report(ctx, name, [_call(ctx, name, net)])
        if not report["jitted"]:
            plain.append(f"`{name}` ({report['type']})")
    if plain:
        raise CheckFailed(
            f"not compiled with jax.jit: {', '.join(plain)}",
            advice="decorate each one with @jax.jit (or @partial(jax.jit, static_argnames=...)), or "
            "assign name = jax.jit(plain_function); a Python function that calls jitted "
            "helpers is not itself one compiled program")


def check_static_arguments(ctx):
    """Check that one_hot's num_classes and init_params' sizes work as static arguments."""
    def prop(Y, num_classes):
        expected = ctx.expected("one_hot", Y, num_classes)
        got = ctx.sub.call("one_hot", Y, num_classes=num_classes)
        expect_close(got, expected, f"one_hot(Y, num_classes={num_classes})")
        expect_close(ctx.sub.call("one_hot", Y, num_classes), expected,
                     f"one_hot(Y, {num_classes})")
    ctx.forall(S.label_batches(), prop, examples=4)

    def sizes(n_in, n_hidden, n_out):
        shapes = S.param_shapes(n_in, n_hidden, n_out)
        got = ctx.sub.call("init_params", ctx.random_arg(0), n_in=n_in, n_hidden=n_hidden,
                           n_out=n_out)
        common.expect_params(got, shapes, ctx.dtype_name)
    ctx.forall(S.sizes(), sizes, examples=3)


def check_traces_cleanly(ctx):
    """Check that every jitted function traces: no error, no printed tracer, no tracer in a global."""
    net = _network(FRESH_SHAPE, ctx.fixed_seed(1), ctx.dtype)
    leaked = {}
    for name in JITTED:
        report = _report(ctx, name, [_call(ctx, name, net)], trace_only=True)
        printed = report["calls"][0]["printed_tracers"]
        if printed:
            raise CheckFailed(
                f"`{name}` printed a traced value, {printed[0]}, while JAX traced it",
                "print runs once, while JAX traces the function with placeholders, so it shows "
                "no numbers and is silent on later calls; use jax.debug.print inside jitted code, "
                f"or print the returned values outside ({SHARP_BITS})")
        _expect_no_new_tracers(name, report["tracers_before"], report["tracers_after"])
        leaked = leaked or report["tracers_after"]
    if leaked:
        raise CheckFailed(f"the global `{sorted(leaked)[0]}` holds traced values",
                          TRACERS_IN_GLOBALS)


def _expect_no_new_tracers(function, before, after):
    grown = [g for g, n in after.items() if n > before.get(g, 0)]
    if grown:
        raise CheckFailed(f"while JAX traced `{function}`, it stored traced values in the "
                          f"global `{grown[0]}`", TRACERS_IN_GLOBALS)


def check_no_recompile(ctx):
    """Check that a second call with the same shapes and dtypes compiles nothing again."""
    first, second = _network(USUAL_SHAPE, ctx.fixed_seed(0), ctx.dtype), _network(USUAL_SHAPE, ctx.fixed_seed(1), ctx.dtype)
    again = []
    for name in (*JITTED, "gradient_descent"):
        report = _report(ctx, name, [_call(ctx, name, first), _call(ctx, name, second, seed=1)])
        traced = report["calls"][1]["traced"]
        if traced:
            again.append(f"`{name}` (JAX traced {', '.join(sorted(set(traced)))} again)")
    if again:
        raise CheckFailed(
            f"compiled again on a second call with the same shapes and dtypes: {'; '.join(again)}",
            "jax.jit keeps one compiled program per jitted function and input shapes; a jax.jit(...) "
            "or @jax.jit created inside a function body is a new function on every call and "
            f"compiles every time. Jit once, at module level ({JIT_DOCS})")


def check_alpha_traced(ctx):
    """Check that a new alpha does not compile update_params or train_step again."""
    net = _network(USUAL_SHAPE, ctx.fixed_seed(0), ctx.dtype)
    for name in ("update_params", "train_step"):
        alphas = (0.5, 0.05, 1.7)
        report = _report(ctx, name, [_call(ctx, name, net, alpha=a) for a in alphas])
        for alpha, call in zip(alphas[1:], report["calls"][1:]):
            if call["traced"]:
                raise CheckFailed(
                    f"`{name}` compiled again for alpha={alpha} "
                    f"(JAX traced {', '.join(sorted(set(call['traced'])))})",
                    "alpha only scales numbers, it decides no shape: leave it a traced argument "
                    "(not in static_argnames/static_argnums, not closed over from a global), so "
                    f"one program serves every learning rate ({JIT_DOCS})")


def check_train_step_single_jit(ctx):
    """Check that train_step is ONE compiled program: one jit at the top of its jaxpr."""
    net = _network(USUAL_SHAPE, ctx.fixed_seed(0), ctx.dtype)
    args, _ = _call(ctx, "train_step", net)
    primitives = ctx.sub.probe("top_level_primitives", function="train_step", fn="train_step",
                               args=args)
    if primitives in (["jit"], ["pjit"]):
        return
    jits = sum(p in ("jit", "pjit") for p in primitives)
    shown = ", ".join(primitives[:6]) + (", ..." if len(primitives) > 6 else "")
    if jits > 1:
        reason = f"one call of train_step runs {jits} separately compiled programs ({shown})"
    else:
        reason = f"train_step is not one compiled program: its trace runs {shown} one by one"
    raise CheckFailed(reason, advice="decorate train_step itself with @jax.jit: the jitted helpers it "
                              "calls are then inlined into one program that XLA can fuse")


def check_train_step_reference(ctx):
    """Check that train_step equals one reference forward, backward and update with any alpha."""
    def prop(W1, b1, W2, b2, X, Y, alpha):
        params = (W1, b1, W2, b2)
        acts = ctx.expected("forward_prop", *params, X)
        grads = ctx.expected("backward_prop", *acts, W1, W2, X, Y)
        expected = ctx.expected("update_params", *params, *grads, alpha)
        got = ctx.sub.call("train_step", *params, X, Y, alpha)
        expect_all_close(got, expected, PARAMS, f"train_step with alpha={alpha}")
    cases = st.tuples(S.networks(ctx.dtype), S.alphas()).map(lambda c: {**c[0], "alpha": c[1]})
    ctx.forall(cases, prop, examples=10)


def check_gradient_descent_uses_train_step(ctx):
    """Check that gradient_descent calls train_step (in a Python loop or a compiled one)."""
    X, Y = common.small_problem(ctx, "columns")
    calls = ctx.sub.probe("train_step_calls", function="gradient_descent",
                          args=(X, Y, 0.5, 3, ctx.random_arg(0)))
    if calls == 0:
        raise CheckFailed(
            "gradient_descent(iterations=3) never called train_step",
            advice="loop `params = train_step(*params, X, Y, alpha)` once per iteration, so that "
            "every step runs the one compiled program")


def check_training_accuracy(ctx):
    """Check that gradient_descent trains on the bundled MNIST subset past a calibrated floor."""
    common.expect_training_accuracy(
        ctx, layout="columns", accuracy=lambda params, X, Y: _accuracy(ctx, params, X, Y))


def _accuracy(ctx, params, X, Y):
    """Validation accuracy of trained params, whose shapes are checked first (the
    reference's jitted forward_prop would raise on misshapen ones)."""
    if not isinstance(params, (tuple, list)) or len(params) != 4:
        raise CheckFailed("gradient_descent should return (W1, b1, W2, b2)")
    shapes = S.param_shapes(X.shape[0], 10, 10)
    for name, value in zip(PARAMS, params):
        expect_shape(value, shapes[name], f"{name} from gradient_descent")
    A2 = ctx.expected("forward_prop", *params, X)[3]
    return float(np.mean(np.argmax(A2, axis=0) == Y))

# The training run starts ahead of its check, on the core the grader leaves idle.
calls_ahead = common.training_ahead("columns")
