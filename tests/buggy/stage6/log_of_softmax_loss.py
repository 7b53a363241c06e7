"""The loss is jnp.log(jax.nn.softmax(logits)): an underflowing probability gives log(0) = -inf."""
EXPECT_FAIL = ["loss_fn_large_logits"]
FOCUS = "loss_fn"


@jax.jit
def loss_fn(params, X, Y):
    probs = jax.nn.softmax(batched_forward(params, X), axis=1)
    return -jnp.mean(jnp.log(probs[jnp.arange(Y.shape[0]), Y]))
