"""update_params adds the gradient: the tree_map climbs the loss."""
EXPECT_FAIL = ["update_params", "train_step_params"]
FOCUS = "update_params"


def update_params(params, grads, alpha):
    return jax.tree_util.tree_map(lambda p, g: p + alpha * g, params, grads)
