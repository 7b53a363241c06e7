"""batched_forward stacks forward over the rows in a Python loop instead of using jax.vmap."""
EXPECT_FAIL = ["batched_forward_vmap"]
FOCUS = "batched_forward"
CALL_TIMEOUT_S = 20  # slow by design: training takes about a minute; 20 s stops it every run


@jax.jit
def batched_forward(params, X):
    return jnp.stack([forward(params, x) for x in X])
