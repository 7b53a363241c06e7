"""init_params passes the same key to all four draws instead of splitting it:
W1, b1, W2 and b2 then share their random bits (b1 repeats W1's first column
values, W2 == W1's first entries when the shapes allow)."""
EXPECT_FAIL = ["init_params_randomness"]
FOCUS = "init_params"


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    W1 = jax.random.uniform(key, (n_hidden, n_in), minval=-0.5, maxval=0.5)
    b1 = jax.random.uniform(key, (n_hidden, 1), minval=-0.5, maxval=0.5)
    W2 = jax.random.uniform(key, (n_out, n_hidden), minval=-0.5, maxval=0.5)
    b2 = jax.random.uniform(key, (n_out, 1), minval=-0.5, maxval=0.5)
    return W1, b1, W2, b2
