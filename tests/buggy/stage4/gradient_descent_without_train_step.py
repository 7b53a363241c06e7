"""gradient_descent keeps stage 2's loop of three jitted calls instead of calling train_step."""
EXPECT_FAIL = ["gradient_descent_uses_train_step"]
FOCUS = "gradient_descent"


def gradient_descent(X, Y, alpha, iterations, key):
    W1, b1, W2, b2 = init_params(key, X.shape[0])
    for _ in range(iterations):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        grads = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, *grads, alpha)
    return W1, b1, W2, b2
