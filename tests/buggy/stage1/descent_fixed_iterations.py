"""gradient_descent loops a hard-coded 500 times (the notebook's value) and
ignores `iterations`."""
EXPECT_FAIL = ["gradient_descent_steps"]
FOCUS = "gradient_descent"


def gradient_descent(X, Y, alpha, iterations, rng):
    W1, b1, W2, b2 = init_params(rng, X.shape[0])
    for _ in range(500):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        grads = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, *grads, alpha)
    return W1, b1, W2, b2
