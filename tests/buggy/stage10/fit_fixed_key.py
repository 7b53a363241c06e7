"""fit initialises from jax.random.PRNGKey(0) instead of its key argument."""
EXPECT_FAIL = ["fit_result"]
FOCUS = "fit"


def fit(X, Y, *, key, mesh, alpha=0.5, iterations=100):
    params = replicate(mesh, init_params(jax.random.PRNGKey(0), X.shape[1]))
    X, Y = shard_batch(mesh, X, Y)
    for _ in range(iterations):
        params, _loss = train_step(params, X, Y, alpha)
        params = jax.block_until_ready(params)
    return params
