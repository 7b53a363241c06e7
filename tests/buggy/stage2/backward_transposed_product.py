"""backward_prop computes dW1 = X @ dZ1.T, the transpose of the right
gradient (it only has the right shape when n_in == n_hidden)."""
EXPECT_FAIL = ["backward_prop_reference", "backward_prop_numerical"]
FOCUS = "backward_prop"


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = X.shape[1]
    dZ2 = (A2 - one_hot(Y, A2.shape[0])) / m
    dW2 = dZ2 @ A1.T
    db2 = dZ2.sum(axis=1, keepdims=True)
    dZ1 = (W2.T @ dZ2) * relu_deriv(Z1)
    dW1 = X @ dZ1.T
    db1 = dZ1.sum(axis=1, keepdims=True)
    return dW1, db1, dW2, db2
