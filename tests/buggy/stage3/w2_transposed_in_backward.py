"""The original third notebook's slip: the hidden layer's error uses W2 the wrong way
round (`dZ2 @ W2.T` for examples in rows). With 10 hidden units and 10 outputs W2 is
square, so the shapes agree and nothing fails until n_hidden != n_out."""
EXPECT_FAIL = ["backward_prop_reference", "backward_prop_numerical"]
FOCUS = "backward_prop"


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = X.shape[0]
    dZ2 = (A2 - one_hot(Y, A2.shape[1])) / m
    dW2 = dZ2.T @ A1
    db2 = dZ2.sum(axis=0)
    dZ1 = (dZ2 @ W2.T) * relu_deriv(Z1)
    dW1 = dZ1.T @ X
    db1 = dZ1.sum(axis=0)
    return dW1, db1, dW2, db2
