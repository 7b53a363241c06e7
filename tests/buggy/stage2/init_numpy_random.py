"""init_params kept stage 1's global np.random.rand: float64 NumPy arrays that
change on every call and ignore the key."""
EXPECT_FAIL = ["init_params_randomness", "init_params_shapes"]
FOCUS = "init_params"
import numpy as np


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    W1 = np.random.rand(n_hidden, n_in) - 0.5
    b1 = np.random.rand(n_hidden, 1) - 0.5
    W2 = np.random.rand(n_out, n_hidden) - 0.5
    b2 = np.random.rand(n_out, 1) - 0.5
    return W1, b1, W2, b2
