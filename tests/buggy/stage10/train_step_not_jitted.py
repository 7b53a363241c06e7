"""train_step is plain Python: its operations run one by one, no one program spans the devices."""
EXPECT_FAIL = ["train_step_data_parallel"]
FOCUS = "train_step"


def train_step(params, X, Y, alpha):
    loss, grads = jax.value_and_grad(loss_fn)(params, X, Y)
    return jax.tree_util.tree_map(lambda p, g: p - alpha * g, params, grads), loss
