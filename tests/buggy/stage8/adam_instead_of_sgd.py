"""make_optimizer returns Adam, not the plain SGD the stage asks for."""
EXPECT_FAIL = ["make_optimizer_sgd"]
FOCUS = "make_optimizer"


def make_optimizer(learning_rate):
    return optax.adam(learning_rate)
