"""batched_forward redoes the maths for the whole matrix and never calls forward (no vmap)."""
EXPECT_FAIL = ["batched_forward_vmap"]
FOCUS = "batched_forward"


@jax.jit
def batched_forward(params, X):
    hidden = jnp.maximum(X @ params["W1"].T + params["b1"], 0)
    return hidden @ params["W2"].T + params["b2"]
