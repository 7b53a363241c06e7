"""init_params calls jax.random.uniform without minval/maxval, so every weight
lies in [0, 1)."""
EXPECT_FAIL = ["init_params_shapes"]
FOCUS = "init_params"


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    k1, k2, k3, k4 = jax.random.split(key, 4)
    W1 = jax.random.uniform(k1, (n_hidden, n_in))
    b1 = jax.random.uniform(k2, (n_hidden, 1))
    W2 = jax.random.uniform(k3, (n_out, n_hidden))
    b2 = jax.random.uniform(k4, (n_out, 1))
    return W1, b1, W2, b2
