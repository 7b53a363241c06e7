"""get_accuracy converts the mean to a Python float inside a jitted function."""
EXPECT_FAIL = ["get_accuracy", "traces_cleanly"]
FOCUS = "get_accuracy"


@jax.jit
def get_accuracy(predictions, Y):
    return float(jnp.mean(predictions == Y))
