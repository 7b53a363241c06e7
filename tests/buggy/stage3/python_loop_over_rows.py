"""batched_forward loops over the rows in Python and stacks the results instead of using jax.vmap."""
EXPECT_FAIL = ["batched_forward_uses_vmap"]
FOCUS = "batched_forward"
CALL_TIMEOUT_S = 20  # slow by design: training takes about a minute; 20 s stops it every run


def batched_forward(W1, b1, W2, b2, X):
    outputs = [forward(W1, b1, W2, b2, x) for x in X]
    return tuple(jnp.stack(column) for column in zip(*outputs))
