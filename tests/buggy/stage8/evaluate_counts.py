"""evaluate returns the number of correct rows instead of the fraction."""
EXPECT_FAIL = ["evaluate"]
FOCUS = "evaluate"


def evaluate(params, X, Y):
    return jnp.sum(predict(params, X) == Y)
