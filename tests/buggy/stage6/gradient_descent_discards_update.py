"""The loop calls train_step but never keeps its result, so the params never change."""
EXPECT_FAIL = ["gradient_descent_steps", "training_accuracy"]
FOCUS = "gradient_descent"


def gradient_descent(X, Y, alpha, iterations, key):
    params = init_params(key, X.shape[1])
    for _ in range(iterations):
        train_step(params, X, Y, alpha)
    return params
