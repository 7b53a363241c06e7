"""one_hot is jitted without static_argnames, so num_classes is traced and cannot size jnp.arange."""
EXPECT_FAIL = ["one_hot", "static_arguments"]
FOCUS = "one_hot"


@jax.jit
def one_hot(Y, num_classes=10):
    return (jnp.arange(num_classes)[:, None] == Y[None, :]).astype(jnp.float32)
