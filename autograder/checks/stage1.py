"""Stage 1 (NumPy, column layout): the shared column-layout checks."""
from autograder.checks import common
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
    check_no_mutation,
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

# The training run starts ahead of its check, on the core the grader leaves idle.
calls_ahead = common.training_ahead("columns")
