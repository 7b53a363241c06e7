"""The original notebook's init: draws from the global np.random instead of the
rng argument, so the same rng gives a different network every call."""
EXPECT_FAIL = ["init_params_randomness"]
FOCUS = "init_params"


def init_params(rng, n_in=784, n_hidden=10, n_out=10):
    W1 = np.random.rand(n_hidden, n_in) - 0.5
    b1 = np.random.rand(n_hidden, 1) - 0.5
    W2 = np.random.rand(n_out, n_hidden) - 0.5
    b2 = np.random.rand(n_out, 1) - 0.5
    return W1, b1, W2, b2
