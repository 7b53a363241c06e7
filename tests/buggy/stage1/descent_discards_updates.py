"""gradient_descent calls update_params but drops its result (as if it updated
in place), so the network never leaves its initialisation."""
EXPECT_FAIL = ["training_accuracy", "gradient_descent_steps"]
FOCUS = "gradient_descent"


def gradient_descent(X, Y, alpha, iterations, rng):
    W1, b1, W2, b2 = init_params(rng, X.shape[0])
    for _ in range(iterations):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
        update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
    return W1, b1, W2, b2
