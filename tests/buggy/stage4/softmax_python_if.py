"""softmax stabilises only `if` the logits are large: a Python branch on a traced value."""
EXPECT_FAIL = ["softmax_reference", "traces_cleanly"]
FOCUS = "softmax"


@jax.jit
def softmax(Z):
    if Z.max() > 50:
        Z = Z - Z.max(axis=0, keepdims=True)
    E = jnp.exp(Z)
    return E / E.sum(axis=0, keepdims=True)
