"""Stage 1: a 784 -> 10 -> 10 network in plain NumPy, backprop written by hand.

Column layout: X is (n_in, m), one column per example; biases are column
vectors. Every function works for any sizes and any batch size m >= 1.
"""
import numpy as np


def init_params(rng, n_in=784, n_hidden=10, n_out=10):
    """Draw W1, b1, W2, b2 uniformly from [-0.5, 0.5) with the Generator `rng`."""
    ### BEGIN SOLUTION
    # TODO: Draw W1 (n_hidden, n_in), b1 (n_hidden, 1), W2 (n_out, n_hidden), b2 (n_out, 1),
    #       each uniform on [-0.5, 0.5), using only the rng you are given (same rng, same net).
    W1 = rng.random((n_hidden, n_in)) - 0.5
    b1 = rng.random((n_hidden, 1)) - 0.5
    W2 = rng.random((n_out, n_hidden)) - 0.5
    b2 = rng.random((n_out, 1)) - 0.5
    return W1, b1, W2, b2
    ### END SOLUTION


def relu(Z):
    """Elementwise max(Z, 0)."""
    ### BEGIN SOLUTION
    # TODO: Keep each positive entry of Z and replace every other entry by 0; same shape as Z.
    return np.maximum(Z, 0)
    ### END SOLUTION


def relu_deriv(Z):
    """Derivative of ReLU, Z's shape: 1 where Z > 0, else 0 (floats, or the boolean mask Z > 0)."""
    ### BEGIN SOLUTION
    # TODO: ReLU's slope for every entry of Z, in Z's shape: 1 where Z is positive, 0 elsewhere
    #       (Z == 0 included). It will multiply gradients in backward_prop, where a boolean mask
    #       multiplies exactly like floats 1.0 and 0.0: either is fine.
    return (Z > 0).astype(float)
    ### END SOLUTION


def softmax(Z):
    """Column-wise softmax.

    Z: (n_out, m) logits, one column per example.
    Returns (n_out, m) probabilities; each column sums to 1.
    """
    ### BEGIN SOLUTION
    # TODO: Turn each column of Z (n_out, m) into probabilities that sum to 1, column by column.
    #       exp overflows for large logits: shifting a column by a constant changes nothing.
    shifted = Z - Z.max(axis=0, keepdims=True)
    E = np.exp(shifted)
    return E / E.sum(axis=0, keepdims=True)
    ### END SOLUTION


def forward_prop(W1, b1, W2, b2, X):
    """Forward pass: Z1 = W1 X + b1, A1 = relu(Z1), Z2 = W2 A1 + b2, A2 = softmax(Z2)."""
    ### BEGIN SOLUTION
    # TODO: Compute Z1, A1 (n_hidden, m) and Z2, A2 (n_out, m): each layer weights the previous
    #       activations and adds its bias (shared by all m columns), then relu, then softmax.
    Z1 = W1 @ X + b1  # (n_hidden, n_in) @ (n_in, m) -> (n_hidden, m)
    A1 = relu(Z1)
    Z2 = W2 @ A1 + b2  # (n_out, n_hidden) @ (n_hidden, m) -> (n_out, m)
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2
    ### END SOLUTION


def one_hot(Y, num_classes=10):
    """Labels (m,) -> (num_classes, m) float array with a single 1 per column."""
    ### BEGIN SOLUTION
    # TODO: Return a (num_classes, m) float array: column i all 0 but a 1 in the row of its label.
    #       Size it by num_classes, not by the labels: a batch may lack some classes.
    encoded = np.zeros((num_classes, Y.size))
    encoded[Y, np.arange(Y.size)] = 1.0
    return encoded
    ### END SOLUTION


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    """Gradients of the mean cross-entropy over the m examples in X.

    Returns (dW1, db1, dW2, db2) shaped like (W1, b1, W2, b2).
    """
    ### BEGIN SOLUTION
    # TODO: Gradients of the MEAN cross-entropy over the m examples (columns) of this X, each
    #       shaped like its parameter; a bias gradient adds up over examples, one value per unit.
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
    # TODO: Return new parameters, each moved a step of size alpha against its gradient;
    #       leave the arrays you were given unchanged (callers still use them).
    return W1 - alpha * dW1, b1 - alpha * db1, W2 - alpha * dW2, b2 - alpha * db2
    ### END SOLUTION


def get_predictions(A2):
    """Index of the most probable class for each column of A2, shape (m,)."""
    ### BEGIN SOLUTION
    # TODO: For each column of A2 (n_out, m), the index of its most probable class: shape (m,).
    return np.argmax(A2, axis=0)
    ### END SOLUTION


def get_accuracy(predictions, Y):
    """Fraction of predictions equal to the labels, a float in [0, 1]."""
    ### BEGIN SOLUTION
    # TODO: The fraction of predictions that equal their label in Y, a float in [0, 1].
    return float(np.mean(predictions == Y))
    ### END SOLUTION


def gradient_descent(X, Y, alpha, iterations, rng):
    """Train from init_params(rng, X.shape[0]) with `iterations` full-batch steps of size alpha."""
    ### BEGIN SOLUTION
    # TODO: Start from init_params with your rng and X's number of features, then take
    #       `iterations` full-batch steps (forward, backward, update with alpha), keeping each.
    #       Give X the weights' dtype once, before the loop: float32 pixels times float64
    #       weights would convert all of X again in every matrix product (twice as slow).
    W1, b1, W2, b2 = init_params(rng, X.shape[0])
    X = np.asarray(X, dtype=W1.dtype)
    for _ in range(iterations):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        grads = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, *grads, alpha)
    return W1, b1, W2, b2
    ### END SOLUTION

