"""softmax subtracts jnp.max(Z) over the whole batch: in float32 a column 100
below the batch's top logit already underflows to 0 / 0."""
EXPECT_FAIL = ["softmax_large_logits"]
FOCUS = "softmax"


def softmax(Z):
    E = jnp.exp(Z - jnp.max(Z))
    return E / E.sum(axis=0, keepdims=True)
