"""The bias gradients add over axis 1 (the units) instead of axis 0 (the examples)."""
EXPECT_FAIL = ["backward_prop_reference", "backward_prop_bias_sums"]
FOCUS = "backward_prop"


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = X.shape[0]
    dZ2 = (A2 - one_hot(Y, A2.shape[1])) / m
    dW2 = dZ2.T @ A1
    db2 = dZ2.sum(axis=1)
    dZ1 = (dZ2 @ W2) * relu_deriv(Z1)
    dW1 = dZ1.T @ X
    db1 = dZ1.sum(axis=1)
    return dW1, db1, dW2, db2
