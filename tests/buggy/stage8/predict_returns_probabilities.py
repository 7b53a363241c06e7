"""predict returns the softmax probabilities instead of the predicted classes."""
EXPECT_FAIL = ["predict_classes"]
FOCUS = "predict"


@jax.jit
def predict(params, X):
    return jax.nn.softmax(model.apply(params, X))
