"""The notebook as it is, changed only where the contract forces it.

Its relu_deriv returns the boolean mask `Z > 0` (correct: a mask multiplies
like 0.0/1.0); its softmax exponentiates without subtracting the maximum, and
its one_hot sizes the matrix by the largest label. The first of these that the
report meets is softmax, on logits of 1e3; the mask must not be blamed.
"""
import numpy as np

FOCUS = "softmax"
REASON = "softmax(Z) for large logits contains"

m, n = 41000, 785


def init_params(rng, n_in=784, n_hidden=10, n_out=10):
    W1 = rng.random((n_hidden, n_in)) - 0.5
    b1 = rng.random((n_hidden, 1)) - 0.5
    W2 = rng.random((n_out, n_hidden)) - 0.5
    b2 = rng.random((n_out, 1)) - 0.5
    return W1, b1, W2, b2


def relu(Z):
    return np.maximum(Z, 0)


def softmax(Z):
    A = np.exp(Z) / sum(np.exp(Z))
    return A


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1.dot(X) + b1
    A1 = relu(Z1)
    Z2 = W2.dot(A1) + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def relu_deriv(Z):
    return Z > 0


def one_hot(Y, num_classes=10):
    one_hot_Y = np.zeros((Y.size, Y.max() + 1))
    one_hot_Y[np.arange(Y.size), Y] = 1
    one_hot_Y = one_hot_Y.T
    return one_hot_Y


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    one_hot_Y = one_hot(Y)
    dZ2 = A2 - one_hot_Y
    dW2 = 1 / m * dZ2.dot(A1.T)
    db2 = 1 / m * np.sum(dZ2)
    dZ1 = W2.T.dot(dZ2) * relu_deriv(Z1)
    dW1 = 1 / m * dZ1.dot(X.T)
    db1 = 1 / m * np.sum(dZ1)
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * db1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2
    return W1, b1, W2, b2


def get_predictions(A2):
    return np.argmax(A2, 0)


def get_accuracy(predictions, Y):
    print(predictions, Y)
    return np.sum(predictions == Y) / Y.size


def gradient_descent(X, Y, alpha, iterations, rng):
    W1, b1, W2, b2 = init_params(rng, X.shape[0])
    for i in range(iterations):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
        if i % 10 == 0:
            print("Iteration: ", i)
            predictions = get_predictions(A2)
            print(get_accuracy(predictions, Y))
    return W1, b1, W2, b2
