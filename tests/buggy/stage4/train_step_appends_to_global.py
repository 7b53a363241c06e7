"""train_step keeps a loss history in a global list: under jit it stores tracers, once."""
EXPECT_FAIL = ["traces_cleanly"]
FOCUS = "train_step"

LOSS_HISTORY = []


@jax.jit
def train_step(W1, b1, W2, b2, X, Y, alpha):
    Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
    LOSS_HISTORY.append(-jnp.mean(jnp.log(jnp.sum(A2 * one_hot(Y, A2.shape[0]), axis=0) + 1e-12)))
    grads = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
    return update_params(W1, b1, W2, b2, *grads, alpha)
