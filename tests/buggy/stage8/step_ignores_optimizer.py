"""train_step does its own SGD with a fixed 0.1 step instead of using the optimizer it is given."""
EXPECT_FAIL = ["train_step_adam", "train_step_sgd"]
FOCUS = "make_train_step"


def make_train_step(optimizer):
    @jax.jit
    def train_step(params, opt_state, X, Y):
        loss, grads = jax.value_and_grad(loss_fn)(params, X, Y)
        params = jax.tree_util.tree_map(lambda p, g: p - 0.1 * g, params, grads)
        return params, opt_state, loss

    return train_step
