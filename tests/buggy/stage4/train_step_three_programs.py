"""train_step is a plain Python function chaining three jitted calls: three programs per step."""
EXPECT_FAIL = ["train_step_single_jit", "jitted"]
FOCUS = "train_step"


def train_step(W1, b1, W2, b2, X, Y, alpha):
    Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
    grads = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
    return update_params(W1, b1, W2, b2, *grads, alpha)
