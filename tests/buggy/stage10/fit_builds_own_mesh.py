"""fit ignores the mesh it is given and builds its own over every device JAX sees.

On a mesh of all 8 devices the two are the same mesh; on a smaller one, fit trains
on devices it was never given.
"""
EXPECT_FAIL = ["fit_calls_train_step", "fit_result"]
FOCUS = "fit"


def fit(X, Y, *, key, mesh, alpha=0.5, iterations=100):
    mesh = make_mesh()
    params = replicate(mesh, init_params(key, X.shape[1]))
    X, Y = shard_batch(mesh, X, Y)
    for _ in range(iterations):
        params, _loss = train_step(params, X, Y, alpha)
        params = jax.block_until_ready(params)
    return params
