"""init_params draws the weights uniformly but starts both biases at jnp.zeros."""
EXPECT_FAIL = ["init_params_shapes"]
FOCUS = "init_params"


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    k1, k2 = jax.random.split(key)
    W1 = jax.random.uniform(k1, (n_hidden, n_in), minval=-0.5, maxval=0.5)
    W2 = jax.random.uniform(k2, (n_out, n_hidden), minval=-0.5, maxval=0.5)
    return W1, jnp.zeros((n_hidden, 1)), W2, jnp.zeros((n_out, 1))
