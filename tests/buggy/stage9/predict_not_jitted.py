"""predict is not compiled."""
EXPECT_FAIL = ["predict_compiled"]
FOCUS = "predict"


def predict(model, X):
    return jnp.argmax(model(X), axis=1)
