"""alpha is marked static, so every new learning rate compiles train_step again."""
EXPECT_FAIL = ["alpha_traced"]
FOCUS = "train_step"


@partial(jax.jit, static_argnames="alpha")
def train_step(W1, b1, W2, b2, X, Y, alpha):
    Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
    grads = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
    return update_params(W1, b1, W2, b2, *grads, alpha)
