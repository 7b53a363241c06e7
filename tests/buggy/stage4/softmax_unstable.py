"""softmax exponentiates the raw logits: float32 exp overflows past about 88."""
EXPECT_FAIL = ["softmax_large_logits"]
FOCUS = "softmax"


@jax.jit
def softmax(Z):
    E = jnp.exp(Z)
    return E / E.sum(axis=0, keepdims=True)
