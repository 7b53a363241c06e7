"""init_params draws from a module-level key, jax.random.PRNGKey(0), and ignores
its `key` argument: every key gives the same network."""
EXPECT_FAIL = ["init_params_randomness"]
FOCUS = "init_params"

KEY = jax.random.PRNGKey(0)


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    k1, k2, k3, k4 = jax.random.split(KEY, 4)
    W1 = jax.random.uniform(k1, (n_hidden, n_in), minval=-0.5, maxval=0.5)
    b1 = jax.random.uniform(k2, (n_hidden, 1), minval=-0.5, maxval=0.5)
    W2 = jax.random.uniform(k3, (n_out, n_hidden), minval=-0.5, maxval=0.5)
    b2 = jax.random.uniform(k4, (n_out, 1), minval=-0.5, maxval=0.5)
    return W1, b1, W2, b2
