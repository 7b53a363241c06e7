"""Every array is drawn from the same key, so W1 equals W2 (and b1 equals b2) when shapes match."""
EXPECT_FAIL = ["init_params_randomness"]
FOCUS = "init_params"


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    uniform = lambda shape: jax.random.uniform(key, shape, minval=-0.5, maxval=0.5)
    return {"W1": uniform((n_hidden, n_in)), "b1": uniform((n_hidden,)),
            "W2": uniform((n_out, n_hidden)), "b2": uniform((n_out,))}
