"""update_params hard-codes the learning rate 0.1 instead of using alpha."""
EXPECT_FAIL = ["update_params"]
FOCUS = "update_params"


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    return W1 - 0.1 * dW1, b1 - 0.1 * db1, W2 - 0.1 * dW2, b2 - 0.1 * db2
