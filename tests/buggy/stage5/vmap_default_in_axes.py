"""jax.vmap(forward) with the default in_axes=0 maps over the parameters too, not only over X."""
EXPECT_FAIL = ["batched_forward_rows"]
FOCUS = "batched_forward"


def batched_forward(W1, b1, W2, b2, X):
    return jax.vmap(forward)(W1, b1, W2, b2, X)
