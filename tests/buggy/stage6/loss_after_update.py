"""train_step reports the loss of the NEW params, computed after the update."""
EXPECT_FAIL = ["train_step_loss"]
FOCUS = "train_step"


@jax.jit
def train_step(params, X, Y, alpha):
    grads = jax.grad(loss_fn)(params, X, Y)
    new_params = jax.tree_util.tree_map(lambda p, g: p - alpha * g, params, grads)
    return new_params, loss_fn(new_params, X, Y)
