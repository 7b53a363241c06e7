"""Bias gradients as in the original notebook, `1 / m * jnp.sum(dZ)`: summed
over the units as well as the examples."""
EXPECT_FAIL = ["backward_prop_reference", "backward_prop_bias_sums"]
FOCUS = "backward_prop"


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = X.shape[1]
    dZ2 = A2 - one_hot(Y, A2.shape[0])
    dW2 = 1 / m * dZ2 @ A1.T
    db2 = 1 / m * jnp.sum(dZ2)
    dZ1 = (W2.T @ dZ2) * relu_deriv(Z1)
    dW1 = 1 / m * dZ1 @ X.T
    db1 = 1 / m * jnp.sum(dZ1)
    return dW1, db1, dW2, db2
