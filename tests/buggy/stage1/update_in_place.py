"""update_params updates the caller's arrays in place with -=, which changes
the parameters the caller still holds."""
EXPECT_FAIL = ["update_params", "no_mutation"]
FOCUS = "update_params"


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    W1 -= alpha * dW1
    b1 -= alpha * db1
    W2 -= alpha * dW2
    b2 -= alpha * db2
    return W1, b1, W2, b2
