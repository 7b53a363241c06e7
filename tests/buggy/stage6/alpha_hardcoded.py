"""The learning rate is hard-coded to 0.1; the alpha argument is ignored."""
EXPECT_FAIL = ["train_step_update"]
FOCUS = "train_step"


@jax.jit
def train_step(params, X, Y, alpha):
    loss, grads = jax.value_and_grad(loss_fn)(params, X, Y)
    return jax.tree_util.tree_map(lambda p, g: p - 0.1 * g, params, grads), loss
