"""update_params hard-codes a step of 0.1 and ignores alpha."""
EXPECT_FAIL = ["update_params"]
FOCUS = "update_params"


def update_params(W1, b1, W2, b2, alpha, X, Y):
    dW1, db1, dW2, db2 = grads(W1, b1, W2, b2, X, Y)
    return W1 - 0.1 * dW1, b1 - 0.1 * db1, W2 - 0.1 * dW2, b2 - 0.1 * db2
