"""gradient_descent initialises with jax.random.PRNGKey(0) and ignores its key."""
EXPECT_FAIL = ["gradient_descent_steps", "gradient_descent_deterministic"]
FOCUS = "gradient_descent"


def gradient_descent(X, Y, alpha, iterations, key):
    params = model.init(jax.random.PRNGKey(0), X)
    for _ in range(iterations):
        params, _loss = train_step(params, X, Y, alpha)
    return params
