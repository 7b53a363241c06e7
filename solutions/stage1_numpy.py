"""Stage 1: a 784 -> 10 -> 10 network in plain NumPy, backprop written by hand.

Column layout: X is (n_in, m), one column per example; biases are column
vectors. Every function works for any sizes and any batch size m >= 1.
"""
import numpy as np


def init_params(rng, n_in=784, n_hidden=10, n_out=10):
    """Draw W1, b1, W2, b2 uniformly from [-0.5, 0.5) with the Generator `rng`."""
    ### BEGIN SOLUTION
    # TODO: draw each array with rng.random(shape) - 0.5 (shapes in the SPEC table).
    W1 = rng.random((n_hidden, n_in)) - 0.5
    b1 = rng.random((n_hidden, 1)) - 0.5
    W2 = rng.random((n_out, n_hidden)) - 0.5
    b2 = rng.random((n_out, 1)) - 0.5
    return W1, b1, W2, b2
    ### END SOLUTION


def relu(Z):
    """Elementwise max(Z, 0)."""
    ### BEGIN SOLUTION
    # TODO: return the elementwise maximum of Z and 0.
    return np.maximum(Z, 0)
    ### END SOLUTION


def relu_deriv(Z):
    """Derivative of ReLU as a float array: 1.0 where Z > 0, else 0.0."""
    ### BEGIN SOLUTION
    # TODO: turn the boolean mask Z > 0 into floats.
    return (Z > 0).astype(float)
    ### END SOLUTION


def softmax(Z):
    """Column-wise softmax.

    Z: (n_out, m) logits, one column per example.
    Returns (n_out, m) probabilities; each column sums to 1.
    """
    ### BEGIN SOLUTION
    # TODO: subtract each column's max before np.exp so that exp never overflows.
    shifted = Z - Z.max(axis=0, keepdims=True)
    E = np.exp(shifted)
    return E / E.sum(axis=0, keepdims=True)
    ### END SOLUTION


def forward_prop(W1, b1, W2, b2, X):
    """Forward pass: Z1 = W1 X + b1, A1 = relu(Z1), Z2 = W2 A1 + b2, A2 = softmax(Z2)."""
    ### BEGIN SOLUTION
    # TODO: compute Z1, A1, Z2, A2 with matrix products and broadcasting biases.
    Z1 = W1 @ X + b1  # (n_hidden, n_in) @ (n_in, m) -> (n_hidden, m)
    A1 = relu(Z1)
    Z2 = W2 @ A1 + b2  # (n_out, n_hidden) @ (n_hidden, m) -> (n_out, m)
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2
    ### END SOLUTION


def one_hot(Y, num_classes=10):
    """Labels (m,) -> (num_classes, m) float array with a single 1 per column."""
    ### BEGIN SOLUTION
    # TODO: size the array by num_classes (never by Y.max() + 1) and set one 1 per column.
    encoded = np.zeros((num_classes, Y.size))
    encoded[Y, np.arange(Y.size)] = 1.0
    return encoded
    ### END SOLUTION


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    """Gradients of the mean cross-entropy over the m examples in X.

    Returns (dW1, db1, dW2, db2) shaped like (W1, b1, W2, b2).
    """
    ### BEGIN SOLUTION
    # TODO: start from dZ2 = (A2 - one_hot(Y)) / m with m = X.shape[1]; sum each db over examples.
    m = X.shape[1]
    dZ2 = (A2 - one_hot(Y, A2.shape[0])) / m  # (n_out, m)
    dW2 = dZ2 @ A1.T
    db2 = dZ2.sum(axis=1, keepdims=True)  # over examples, not over units
    dZ1 = (W2.T @ dZ2) * relu_deriv(Z1)  # (n_hidden, m)
    dW1 = dZ1 @ X.T
    db1 = dZ1.sum(axis=1, keepdims=True)
    return dW1, db1, dW2, db2
    ### END SOLUTION


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    """One gradient step: every parameter p becomes p - alpha * dp (new arrays)."""
    ### BEGIN SOLUTION
    # TODO: return new arrays p - alpha * dp; do not modify the arguments in place.
    return W1 - alpha * dW1, b1 - alpha * db1, W2 - alpha * dW2, b2 - alpha * db2
    ### END SOLUTION


def get_predictions(A2):
    """Index of the most probable class for each column of A2, shape (m,)."""
    ### BEGIN SOLUTION
    # TODO: take the argmax over the class axis (axis 0).
    return np.argmax(A2, axis=0)
    ### END SOLUTION


def get_accuracy(predictions, Y):
    """Fraction of predictions equal to the labels, a float in [0, 1]."""
    ### BEGIN SOLUTION
    # TODO: compare predictions with Y and average.
    return float(np.mean(predictions == Y))
    ### END SOLUTION


def gradient_descent(X, Y, alpha, iterations, rng):
    """Train from init_params(rng, X.shape[0]) with `iterations` full-batch steps of size alpha."""
    ### BEGIN SOLUTION
    # TODO: init with init_params(rng, X.shape[0]), then loop forward, backward, update.
    W1, b1, W2, b2 = init_params(rng, X.shape[0])
    for _ in range(iterations):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        grads = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, *grads, alpha)
    return W1, b1, W2, b2
    ### END SOLUTION

