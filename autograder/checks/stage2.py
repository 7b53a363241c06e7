"""Stage 2 (jax.numpy, column layout): stage 1's checks plus float32 JAX results."""
from autograder.checks import common
from autograder.checks import strategies as S
from autograder.checks.columns import (  # noqa: F401 - the check_* names are the registry
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
    check_training_accuracy,
    check_update_params,
)
from autograder.grading.failures import CheckFailed


def check_returns_jax_float32(ctx):
    """Check that the functions return jax.Array results (floats in float32), not NumPy arrays."""
    def prop(W1, b1, W2, b2, X, Y):
        acts = ctx.expected("forward_prop", W1, b1, W2, b2, X)
        calls = {
            "relu": (X,), "relu_deriv": (X,), "softmax": (X,),
            "forward_prop": (W1, b1, W2, b2, X), "one_hot": (Y, W2.shape[0]),
            "backward_prop": (*acts, W1, W2, X, Y),
            "update_params": (W1, b1, W2, b2, W1, b1, W2, b2, 0.5),
            "get_predictions": (acts[3],), "get_accuracy": (Y, Y),
        }
        for name, args in calls.items():
            reply = ctx.sub.call_full(name, *args)
            not_jax = [t for t in reply["types"] if t != "jax.Array"]
            if not_jax:
                raise CheckFailed(f"{name} returned {not_jax[0]}, expected jax.Array")
            leaves = reply["value"] if isinstance(reply["value"], tuple) else (reply["value"],)
            for leaf in leaves:
                if leaf.dtype.kind == "f" and leaf.dtype.itemsize != 4:
                    raise CheckFailed(f"{name} returned {leaf.dtype}, expected float32")
    ctx.forall(S.networks(ctx.dtype), prop, examples=3)

# The training run starts ahead of its check, on the core the grader leaves idle.
calls_ahead = common.training_ahead("columns")
