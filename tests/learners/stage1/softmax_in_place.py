"""A port whose softmax subtracts the column maxima from Z in place.

The subtraction is the right idea for large logits, but `-=` changes the
caller's Z: forward_prop's Z2 comes back shifted. The reason names the
mutation; the idea shown must be about mutation, not about softmax's axis.
"""
import numpy as np

FOCUS = "softmax"
REASON = "softmax modified its argument `Z` in place"
IDEA = "No function may change the arrays it is given"
NOT_SAID = ["wrong axis"]


def init_params(rng, n_in=784, n_hidden=10, n_out=10):
    W1 = rng.random((n_hidden, n_in)) - 0.5
    b1 = rng.random((n_hidden, 1)) - 0.5
    W2 = rng.random((n_out, n_hidden)) - 0.5
    b2 = rng.random((n_out, 1)) - 0.5
    return W1, b1, W2, b2


def relu(Z):
    return np.maximum(Z, 0)


def relu_deriv(Z):
    return Z > 0


def softmax(Z):
    Z -= np.max(Z, axis=0, keepdims=True)  # stability
    e = np.exp(Z)
    return e / np.sum(e, axis=0, keepdims=True)


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1 @ X + b1
    A1 = relu(Z1)
    Z2 = W2 @ A1 + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def one_hot(Y, num_classes=10):
    encoded = np.zeros((num_classes, Y.size))
    encoded[Y, np.arange(Y.size)] = 1
    return encoded


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = X.shape[1]
    dZ2 = A2 - one_hot(Y, A2.shape[0])
    dW2 = dZ2 @ A1.T / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dZ1 = W2.T @ dZ2 * relu_deriv(Z1)
    dW1 = dZ1 @ X.T / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * db1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2
    return W1, b1, W2, b2


def get_predictions(A2):
    return A2.argmax(axis=0)


def get_accuracy(predictions, Y):
    return (predictions == Y).mean()


def gradient_descent(X, Y, alpha, iterations, rng):
    W1, b1, W2, b2 = init_params(rng, X.shape[0])
    for _ in range(iterations):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        grads = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, *grads, alpha)
    return W1, b1, W2, b2
