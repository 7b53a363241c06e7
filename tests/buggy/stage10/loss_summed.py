"""loss_fn adds the per-example losses instead of averaging them."""
EXPECT_FAIL = ["loss_fn"]
FOCUS = "loss_fn"


def loss_fn(params, X, Y):
    hidden = jax.nn.relu(X @ params["W1"].T + params["b1"])
    log_probs = jax.nn.log_softmax(hidden @ params["W2"].T + params["b2"])
    return -jnp.sum(jnp.take_along_axis(log_probs, Y[:, None], axis=1))
