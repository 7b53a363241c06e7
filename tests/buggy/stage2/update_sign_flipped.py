"""update_params climbs the loss: p + alpha * dp instead of p - alpha * dp."""
EXPECT_FAIL = ["update_params", "training_accuracy"]
FOCUS = "update_params"


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    return W1 + alpha * dW1, b1 + alpha * db1, W2 + alpha * dW2, b2 + alpha * db2
