"""fit copies the trained params back to the host (NumPy) instead of returning them on the mesh."""
EXPECT_FAIL = ["fit_result"]
FOCUS = "fit"


def fit(X, Y, *, key, mesh, alpha=0.5, iterations=100):
    params = replicate(mesh, init_params(key, X.shape[1]))
    X, Y = shard_batch(mesh, X, Y)
    for _ in range(iterations):
        params, _loss = train_step(params, X, Y, alpha)
        params = jax.block_until_ready(params)
    return jax.device_get(params)
