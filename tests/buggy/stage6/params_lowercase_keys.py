"""init_params names the entries w1, b1, w2, b2 instead of the SPEC's W1, b1, W2, b2."""
EXPECT_FAIL = ["init_params_shapes"]
FOCUS = "init_params"


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    k1, k2, k3, k4 = jax.random.split(key, 4)
    uniform = lambda k, shape: jax.random.uniform(k, shape, minval=-0.5, maxval=0.5)
    return {"w1": uniform(k1, (n_hidden, n_in)), "b1": uniform(k2, (n_hidden,)),
            "w2": uniform(k3, (n_out, n_hidden)), "b2": uniform(k4, (n_out,))}


def forward(params, x):
    hidden = jnp.maximum(params["w1"] @ x + params["b1"], 0)
    return params["w2"] @ hidden + params["b2"]
