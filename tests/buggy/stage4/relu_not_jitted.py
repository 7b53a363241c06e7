"""relu is left a plain Python function: it runs op by op, never compiled on its own."""
EXPECT_FAIL = ["jitted"]
FOCUS = "relu"


def relu(Z):
    return jnp.maximum(Z, 0)
