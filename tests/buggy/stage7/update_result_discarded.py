"""gradient_descent calls train_step but never keeps its result: JAX arrays do not change in place."""
EXPECT_FAIL = ["training_accuracy", "gradient_descent_steps"]
FOCUS = "gradient_descent"


def gradient_descent(X, Y, alpha, iterations, key):
    params = model.init(key, X)
    for _ in range(iterations):
        train_step(params, X, Y, alpha)
    return params
