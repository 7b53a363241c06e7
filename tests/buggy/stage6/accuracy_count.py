"""get_accuracy returns the number of correct predictions, not the fraction."""
EXPECT_FAIL = ["get_accuracy"]
FOCUS = "get_accuracy"


def get_accuracy(predictions, Y):
    return jnp.sum(predictions == Y)
