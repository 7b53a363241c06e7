"""W1 is stored as (n_in, n_hidden) and W2 as (n_hidden, n_out), the x @ W habit."""
EXPECT_FAIL = ["init_params_shapes"]
FOCUS = "init_params"


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    k1, k2, k3, k4 = jax.random.split(key, 4)
    uniform = lambda k, shape: jax.random.uniform(k, shape, minval=-0.5, maxval=0.5)
    return {"W1": uniform(k1, (n_in, n_hidden)), "b1": uniform(k2, (n_hidden,)),
            "W2": uniform(k3, (n_hidden, n_out)), "b2": uniform(k4, (n_out,))}


def forward(params, x):
    hidden = jnp.maximum(x @ params["W1"] + params["b1"], 0)
    return hidden @ params["W2"] + params["b2"]
