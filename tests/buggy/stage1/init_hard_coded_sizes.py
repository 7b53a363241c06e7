"""init_params copies the notebook's fixed 10 x 784 shapes and ignores the size
arguments."""
EXPECT_FAIL = ["init_params_shapes"]
FOCUS = "init_params"


def init_params(rng, n_in=784, n_hidden=10, n_out=10):
    W1 = rng.random((10, 784)) - 0.5
    b1 = rng.random((10, 1)) - 0.5
    W2 = rng.random((10, 10)) - 0.5
    b2 = rng.random((10, 1)) - 0.5
    return W1, b1, W2, b2
