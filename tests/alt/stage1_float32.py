"""Stage 1 written to compute in float32 throughout.

Every function casts its float inputs to float32 first, so the whole network
runs at the precision of the JAX stages; the SPEC allows float32 or float64.
"""
import numpy as np

DTYPE = np.float32


def as_f32(array):
    """The array as float32 (a new array when it was another dtype)."""
    return np.asarray(array, dtype=DTYPE)


def init_params(rng, n_in=784, n_hidden=10, n_out=10):
    """W1, b1, W2, b2 uniform on [-0.5, 0.5), drawn directly in float32."""
    # Drawing in float32 (not casting a float64 draw) keeps 0.5 itself out of reach.
    def draw(shape):
        return rng.random(shape, dtype=DTYPE) - DTYPE(0.5)
    return draw((n_hidden, n_in)), draw((n_hidden, 1)), draw((n_out, n_hidden)), draw((n_out, 1))


def relu(Z):
    """Elementwise max(Z, 0)."""
    return np.maximum(as_f32(Z), DTYPE(0))


def relu_deriv(Z):
    """1.0 where Z > 0, else 0.0, as float32."""
    return np.greater(Z, 0).astype(DTYPE)


def softmax(Z):
    """Column-wise softmax, shifted by each column's max so exp never overflows."""
    Z = as_f32(Z)
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def forward_prop(W1, b1, W2, b2, X):
    """(Z1, A1, Z2, A2) of the batch X, one example per column."""
    W1, b1, W2, b2, X = map(as_f32, (W1, b1, W2, b2, X))
    Z1 = np.matmul(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.matmul(W2, A1) + b2
    return Z1, A1, Z2, softmax(Z2)


def one_hot(Y, num_classes=10):
    """(num_classes, m) float32 with a 1 at row Y[i] of column i."""
    encoded = np.zeros((num_classes, len(Y)), dtype=DTYPE)
    encoded[np.asarray(Y), np.arange(len(Y))] = 1
    return encoded


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    """Gradients of the mean cross-entropy, shaped like W1, b1, W2, b2."""
    Z1, A1, A2, W2, X = map(as_f32, (Z1, A1, A2, W2, X))
    batch_size = DTYPE(X.shape[1])
    dZ2 = (A2 - one_hot(Y, A2.shape[0])) / batch_size
    dZ1 = np.matmul(W2.T, dZ2) * relu_deriv(Z1)
    return (np.matmul(dZ1, X.T), dZ1.sum(axis=1, keepdims=True),
            np.matmul(dZ2, A1.T), dZ2.sum(axis=1, keepdims=True))


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    """New float32 arrays p - alpha * dp."""
    params = map(as_f32, (W1, b1, W2, b2))
    grads = map(as_f32, (dW1, db1, dW2, db2))
    step = DTYPE(alpha)
    return tuple(p - step * g for p, g in zip(params, grads))


def get_predictions(A2):
    """The most probable class of each column."""
    return A2.argmax(axis=0)


def get_accuracy(predictions, Y):
    """Fraction of correct predictions."""
    return np.count_nonzero(np.asarray(predictions) == np.asarray(Y)) / len(Y)


def gradient_descent(X, Y, alpha, iterations, rng):
    """`iterations` full-batch float32 steps from init_params(rng, X.shape[0])."""
    X = as_f32(X)
    params = init_params(rng, X.shape[0])
    for _ in range(iterations):
        Z1, A1, Z2, A2 = forward_prop(*params, X)
        grads = backward_prop(Z1, A1, Z2, A2, params[0], params[2], X, Y)
        params = update_params(*params, *grads, alpha)
    return params
