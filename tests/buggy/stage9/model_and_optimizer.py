"""nnx.Optimizer(model, tx) without wrt raises in Flax 0.12, and its message suggests
nnx.ModelAndOptimizer, whose update takes the gradients alone: not the optimizer train_step uses."""
EXPECT_FAIL = ["make_optimizer_sgd"]
FOCUS = "make_optimizer"


def make_optimizer(model, learning_rate):
    return nnx.ModelAndOptimizer(model, optax.sgd(learning_rate), wrt=nnx.Param)
