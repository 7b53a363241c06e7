"""The update adds the gradient: p + alpha * g climbs the loss instead of descending it."""
EXPECT_FAIL = ["train_step_update", "gradient_descent_steps"]
FOCUS = "train_step"


@jax.jit
def train_step(params, X, Y, alpha):
    loss, grads = jax.value_and_grad(loss_fn)(params, X, Y)
    return jax.tree_util.tree_map(lambda p, g: p + alpha * g, params, grads), loss
