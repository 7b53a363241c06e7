"""The training loop runs iterations + 1 steps (range(iterations + 1))."""
EXPECT_FAIL = ["gradient_descent_steps"]
FOCUS = "gradient_descent"


def gradient_descent(X, Y, alpha, iterations, key):
    params = init_params(key, X.shape[1])
    for _ in range(iterations + 1):
        params, _loss = train_step(params, X, Y, alpha)
    return params
