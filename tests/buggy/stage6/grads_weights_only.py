"""Only the weights are differentiated and updated; the biases never move."""
EXPECT_FAIL = ["train_step_update"]
FOCUS = "train_step"


@jax.jit
def train_step(params, X, Y, alpha):
    weights = {"W1": params["W1"], "W2": params["W2"]}
    loss, grads = jax.value_and_grad(lambda w: loss_fn({**params, **w}, X, Y))(weights)
    new_weights = jax.tree_util.tree_map(lambda p, g: p - alpha * g, weights, grads)
    return {**params, **new_weights}, loss
