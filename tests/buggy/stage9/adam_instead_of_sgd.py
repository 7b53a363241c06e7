"""make_optimizer wraps Adam, the usual default, where the stage asks for plain SGD."""
EXPECT_FAIL = ["make_optimizer_sgd"]
FOCUS = "make_optimizer"


def make_optimizer(model, learning_rate):
    return nnx.Optimizer(model, optax.adam(learning_rate), wrt=nnx.Param)
