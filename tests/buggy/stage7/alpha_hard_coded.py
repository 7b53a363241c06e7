"""update_params keeps the original notebook's hard-coded 0.1 and ignores alpha."""
EXPECT_FAIL = ["update_params"]
FOCUS = "update_params"


def update_params(params, grads, alpha):
    return jax.tree_util.tree_map(lambda p, g: p - 0.1 * g, params, grads)
