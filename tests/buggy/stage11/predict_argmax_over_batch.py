"""predict takes the argmax over axis 0, the batch, instead of over each row's classes."""
EXPECT_FAIL = ["predict_classes"]
FOCUS = "predict"


@jax.jit
def predict(params, X):
    hidden = jax.nn.relu(X @ params["W1"].T + params["b1"])
    return jnp.argmax(hidden @ params["W2"].T + params["b2"], axis=0)
