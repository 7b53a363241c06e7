"""The original notebook's `m, n = data.shape` at module level: backward_prop
divides by the size of the whole training set instead of X.shape[1]."""
EXPECT_FAIL = ["backward_prop_numerical", "backward_prop_reference"]
FOCUS = "backward_prop"

m, n = 41000, 784


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    dZ2 = A2 - one_hot(Y, A2.shape[0])
    dW2 = 1 / m * dZ2.dot(A1.T)
    db2 = 1 / m * dZ2.sum(axis=1, keepdims=True)
    dZ1 = W2.T.dot(dZ2) * relu_deriv(Z1)
    dW1 = 1 / m * dZ1.dot(X.T)
    db1 = 1 / m * dZ1.sum(axis=1, keepdims=True)
    return dW1, db1, dW2, db2
