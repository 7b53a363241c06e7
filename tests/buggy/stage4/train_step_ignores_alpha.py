"""train_step hard-codes a learning rate of 0.1 instead of using alpha."""
EXPECT_FAIL = ["train_step_reference"]
FOCUS = "train_step"


@jax.jit
def train_step(W1, b1, W2, b2, X, Y, alpha):
    Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
    grads = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
    return update_params(W1, b1, W2, b2, *grads, 0.1)
