"""A port that never divides by m: every gradient is the sum over the batch.

On one example that is right; on m examples the gradients are m times the
mean's, whatever m is.
"""
import numpy as np

FOCUS = "backward_prop"
REASON = "times the correct ones"
SYMPTOM = "a sum over the examples where the mean belongs"


def init_params(rng, n_in=784, n_hidden=10, n_out=10):
    return (rng.random((n_hidden, n_in)) - 0.5, rng.random((n_hidden, 1)) - 0.5,
            rng.random((n_out, n_hidden)) - 0.5, rng.random((n_out, 1)) - 0.5)


def relu(Z):
    return np.maximum(Z, 0.0)


def relu_deriv(Z):
    return np.greater(Z, 0).astype(Z.dtype)


def softmax(Z):
    Z = Z - np.amax(Z, axis=0, keepdims=True)
    return np.exp(Z) / np.exp(Z).sum(axis=0, keepdims=True)


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1 @ X + b1
    A1 = relu(Z1)
    Z2 = W2 @ A1 + b2
    return Z1, A1, Z2, softmax(Z2)


def one_hot(Y, num_classes=10):
    return (np.arange(num_classes)[:, None] == Y[None, :]).astype(float)


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    dZ2 = A2 - one_hot(Y, A2.shape[0])
    dW2 = dZ2 @ A1.T
    db2 = dZ2.sum(axis=1, keepdims=True)
    dZ1 = (W2.T @ dZ2) * relu_deriv(Z1)
    dW1 = dZ1 @ X.T
    db1 = dZ1.sum(axis=1, keepdims=True)
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    return W1 - alpha * dW1, b1 - alpha * db1, W2 - alpha * dW2, b2 - alpha * db2


def get_predictions(A2):
    return A2.argmax(axis=0)


def get_accuracy(predictions, Y):
    return float((predictions == Y).mean())


def gradient_descent(X, Y, alpha, iterations, rng):
    W1, b1, W2, b2 = init_params(rng, X.shape[0])
    for _ in range(iterations):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2,
                                       *backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y), alpha)
    return W1, b1, W2, b2
