"""gradient_descent ignores its key and always starts from jax.random.PRNGKey(0)."""
EXPECT_FAIL = ["gradient_descent_steps", "gradient_descent_deterministic"]
FOCUS = "gradient_descent"


def gradient_descent(X, Y, alpha, iterations, key):
    params = init_params(jax.random.PRNGKey(0), X.shape[1])
    for _ in range(iterations):
        params, _loss = train_step(params, X, Y, alpha)
    return params
