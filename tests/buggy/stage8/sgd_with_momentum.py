"""make_optimizer adds momentum: the second update remembers the first gradient."""
EXPECT_FAIL = ["make_optimizer_sgd"]
FOCUS = "make_optimizer"


def make_optimizer(learning_rate):
    return optax.sgd(learning_rate, momentum=0.9)
