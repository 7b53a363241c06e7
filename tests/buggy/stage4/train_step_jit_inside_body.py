"""train_step builds a fresh @jax.jit function (closing over X, Y and alpha) on every call,
so every call traces and compiles again."""
EXPECT_FAIL = ["no_recompile", "jitted"]
FOCUS = "train_step"


def train_step(W1, b1, W2, b2, X, Y, alpha):
    @jax.jit
    def step(W1, b1, W2, b2):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        grads = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
        return update_params(W1, b1, W2, b2, *grads, alpha)
    return step(W1, b1, W2, b2)
