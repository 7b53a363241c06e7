"""jax.vmap(forward) without in_axes maps over the params too, whose sizes do not match X."""
EXPECT_FAIL = ["batched_forward_vmap", "batched_forward"]
FOCUS = "batched_forward"


@jax.jit
def batched_forward(params, X):
    return jax.vmap(forward)(params, X)
