"""A port whose output error is the derivative of a squared error, 2 (A2 - Y).

Its m is right (read from X); the 2 is a constant factor that multiplies every
gradient, on every batch. On a one-example batch a constant factor and a
wrong m look alike: the report must not blame m.
"""
import numpy as np

FOCUS = "backward_prop"
REASON = "the gradients are 2 times the correct ones"
SYMPTOM = "a constant factor"
NOT_SAID = ["never use an m from outside", "divide by m"]


def init_params(rng, n_in=784, n_hidden=10, n_out=10):
    W1 = rng.uniform(-0.5, 0.5, size=(n_hidden, n_in))
    b1 = rng.uniform(-0.5, 0.5, size=(n_hidden, 1))
    W2 = rng.uniform(-0.5, 0.5, size=(n_out, n_hidden))
    b2 = rng.uniform(-0.5, 0.5, size=(n_out, 1))
    return W1, b1, W2, b2


def relu(Z):
    return np.maximum(0, Z)


def relu_deriv(Z):
    return (Z > 0).astype(np.float64)


def softmax(Z):
    shifted = Z - Z.max(axis=0, keepdims=True)
    exps = np.exp(shifted)
    return exps / exps.sum(axis=0, keepdims=True)


def forward_prop(W1, b1, W2, b2, X):
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    return Z1, A1, Z2, softmax(Z2)


def one_hot(Y, num_classes=10):
    return np.eye(num_classes)[Y].T


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = X.shape[1]
    dZ2 = 2 * (A2 - one_hot(Y, A2.shape[0]))
    dW2 = np.dot(dZ2, A1.T) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = np.dot(W2.T, dZ2) * relu_deriv(Z1)
    dW1 = np.dot(dZ1, X.T) / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    return W1 - alpha * dW1, b1 - alpha * db1, W2 - alpha * dW2, b2 - alpha * db2


def get_predictions(A2):
    return np.argmax(A2, axis=0)


def get_accuracy(predictions, Y):
    return float(np.mean(predictions == Y))


def gradient_descent(X, Y, alpha, iterations, rng):
    params = init_params(rng, X.shape[0])
    for _ in range(iterations):
        Z1, A1, Z2, A2 = forward_prop(*params, X)
        grads = backward_prop(Z1, A1, Z2, A2, params[0], params[2], X, Y)
        params = update_params(*params, *grads, alpha)
    return params
