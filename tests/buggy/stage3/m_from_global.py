"""backward_prop divides by a global m (the training-set size) instead of this batch's X.shape[0]."""
EXPECT_FAIL = ["backward_prop_reference", "backward_prop_numerical"]
FOCUS = "backward_prop"

m = 4000


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    dZ2 = (A2 - one_hot(Y, A2.shape[1])) / m
    dW2 = dZ2.T @ A1
    db2 = dZ2.sum(axis=0)
    dZ1 = (dZ2 @ W2) * relu_deriv(Z1)
    dW1 = dZ1.T @ X
    db1 = dZ1.sum(axis=0)
    return dW1, db1, dW2, db2
