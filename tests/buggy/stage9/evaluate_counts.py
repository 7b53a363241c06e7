"""evaluate counts the correct rows instead of taking their fraction."""
EXPECT_FAIL = ["evaluate"]
FOCUS = "evaluate"


def evaluate(model, X, Y):
    return jnp.sum(predict(model, X) == Y)
