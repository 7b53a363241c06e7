"""predict is an ordinary Python function: it is never compiled."""
EXPECT_FAIL = ["predict_jitted"]
FOCUS = "predict"


def predict(params, X):
    return jnp.argmax(model.apply(params, X), axis=1)
