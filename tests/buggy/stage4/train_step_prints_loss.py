"""train_step prints its loss with print(): under jit that prints a tracer once, at trace time."""
EXPECT_FAIL = ["traces_cleanly"]
FOCUS = "train_step"


@jax.jit
def train_step(W1, b1, W2, b2, X, Y, alpha):
    Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
    loss = -jnp.mean(jnp.log(jnp.sum(A2 * one_hot(Y, A2.shape[0]), axis=0) + 1e-12))
    print("loss", loss)
    grads = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
    return update_params(W1, b1, W2, b2, *grads, alpha)
