"""one_hot ported line by line from NumPy: item assignment into a jax array,
which JAX arrays do not support (they are immutable)."""
EXPECT_FAIL = ["one_hot"]
FOCUS = "one_hot"


def one_hot(Y, num_classes=10):
    encoded = jnp.zeros((num_classes, Y.size))
    encoded[Y, jnp.arange(Y.size)] = 1.0
    return encoded
