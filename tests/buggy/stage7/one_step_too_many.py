"""gradient_descent loops over range(iterations + 1), one step too many."""
EXPECT_FAIL = ["gradient_descent_steps"]
FOCUS = "gradient_descent"


def gradient_descent(X, Y, alpha, iterations, key):
    params = model.init(key, X)
    for _ in range(iterations + 1):
        params, _loss = train_step(params, X, Y, alpha)
    return params
