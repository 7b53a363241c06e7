"""predict returns the logits instead of the class of each row."""
EXPECT_FAIL = ["predict_classes"]
FOCUS = "predict"


@nnx.jit
def predict(model, X):
    return model(X)
