"""gradient_descent splits its key before init_params and initialises from the
subkey, so it does not start from init_params(key, X.shape[0]) as the SPEC says."""
EXPECT_FAIL = ["gradient_descent_steps"]
FOCUS = "gradient_descent"


def gradient_descent(X, Y, alpha, iterations, key):
    key, init_key = jax.random.split(key)
    W1, b1, W2, b2 = init_params(init_key, X.shape[0])
    for _ in range(iterations):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        grads = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, *grads, alpha)
    return W1, b1, W2, b2
