"""Stage 1: a 784 -> 10 -> 10 network in plain NumPy, backprop written by hand.

Column layout: X is (n_in, m), one column per example; biases are column
vectors. Every function works for any sizes and any batch size m >= 1.
"""
import numpy as np


def init_params(rng, n_in=784, n_hidden=10, n_out=10):
    """Draw W1, b1, W2, b2 uniformly from [-0.5, 0.5) with the Generator `rng`."""
    # TODO: draw each array with rng.random(shape) - 0.5 (shapes in the SPEC table).
    raise NotImplementedError("stage 1: init_params")


def relu(Z):
    """Elementwise max(Z, 0)."""
    # TODO: return the elementwise maximum of Z and 0.
    raise NotImplementedError("stage 1: relu")


def relu_deriv(Z):
    """Derivative of ReLU as a float array: 1.0 where Z > 0, else 0.0."""
    # TODO: turn the boolean mask Z > 0 into floats.
    raise NotImplementedError("stage 1: relu_deriv")


def softmax(Z):
    """Column-wise softmax.

    Z: (n_out, m) logits, one column per example.
    Returns (n_out, m) probabilities; each column sums to 1.
    """
    # TODO: subtract each column's max before np.exp so that exp never overflows.
    raise NotImplementedError("stage 1: softmax")


def forward_prop(W1, b1, W2, b2, X):
    """Forward pass: Z1 = W1 X + b1, A1 = relu(Z1), Z2 = W2 A1 + b2, A2 = softmax(Z2)."""
    # TODO: compute Z1, A1, Z2, A2 with matrix products and broadcasting biases.
    raise NotImplementedError("stage 1: forward_prop")


def one_hot(Y, num_classes=10):
    """Labels (m,) -> (num_classes, m) float array with a single 1 per column."""
    # TODO: size the array by num_classes (never by Y.max() + 1) and set one 1 per column.
    raise NotImplementedError("stage 1: one_hot")


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    """Gradients of the mean cross-entropy over the m examples in X.

    Returns (dW1, db1, dW2, db2) shaped like (W1, b1, W2, b2).
    """
    # TODO: start from dZ2 = (A2 - one_hot(Y)) / m with m = X.shape[1]; sum each db over examples.
    raise NotImplementedError("stage 1: backward_prop")


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    """One gradient step: every parameter p becomes p - alpha * dp (new arrays)."""
    # TODO: return new arrays p - alpha * dp; do not modify the arguments in place.
    raise NotImplementedError("stage 1: update_params")


def get_predictions(A2):
    """Index of the most probable class for each column of A2, shape (m,)."""
    # TODO: take the argmax over the class axis (axis 0).
    raise NotImplementedError("stage 1: get_predictions")


def get_accuracy(predictions, Y):
    """Fraction of predictions equal to the labels, a float in [0, 1]."""
    # TODO: compare predictions with Y and average.
    raise NotImplementedError("stage 1: get_accuracy")


def gradient_descent(X, Y, alpha, iterations, rng):
    """Train from init_params(rng, X.shape[0]) with `iterations` full-batch steps of size alpha."""
    # TODO: init with init_params(rng, X.shape[0]), then loop forward, backward, update.
    raise NotImplementedError("stage 1: gradient_descent")

