"""Stage 1 written with np.einsum, an identity-matrix one_hot and a log-sum-exp softmax."""
import numpy as np


def init_params(rng, n_in=784, n_hidden=10, n_out=10):
    """W1, b1, W2, b2 from rng.uniform(-0.5, 0.5, shape)."""
    shapes = ((n_hidden, n_in), (n_hidden, 1), (n_out, n_hidden), (n_out, 1))
    return tuple(rng.uniform(-0.5, 0.5, shape) for shape in shapes)


def relu(Z):
    """max(Z, 0) via np.where."""
    return np.where(Z > 0, Z, 0.0)


def relu_deriv(Z):
    """Heaviside step with value 0 at Z == 0."""
    return np.heaviside(Z, 0.0)


def softmax(Z):
    """exp(Z - logsumexp(Z)) column by column."""
    top = np.max(Z, axis=0)
    log_norm = top + np.log(np.sum(np.exp(Z - top), axis=0))
    return np.exp(Z - log_norm)


def dense(W, b, X):
    """W X + b for column examples, as an einsum."""
    return np.einsum("ij,jm->im", W, X) + b


def forward_prop(W1, b1, W2, b2, X):
    """(Z1, A1, Z2, A2)."""
    Z1 = dense(W1, b1, X)
    A1 = relu(Z1)
    Z2 = dense(W2, b2, A1)
    return Z1, A1, Z2, softmax(Z2)


def one_hot(Y, num_classes=10):
    """Rows of the identity matrix picked by the labels, transposed to columns."""
    return np.eye(num_classes)[Y].T


def layer_grads(dZ, inputs):
    """(dW, db) of a dense layer from its output gradient and its inputs."""
    return np.einsum("im,jm->ij", dZ, inputs), np.einsum("im->i", dZ)[:, None]


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    """Gradients of the mean cross-entropy over the X.shape[1] examples."""
    dZ2 = (A2 - one_hot(Y, A2.shape[0])) / X.shape[1]
    dZ1 = np.einsum("ji,jm->im", W2, dZ2) * relu_deriv(Z1)
    dW1, db1 = layer_grads(dZ1, X)
    dW2, db2 = layer_grads(dZ2, A1)
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    """p - alpha * dp for every parameter."""
    params, grads = (W1, b1, W2, b2), (dW1, db1, dW2, db2)
    return tuple(np.subtract(p, alpha * g) for p, g in zip(params, grads))


def get_predictions(A2):
    """Class of highest probability per column."""
    return np.argmax(A2, axis=0)


def get_accuracy(predictions, Y):
    """Fraction of matching labels, as a Python float."""
    return np.sum(predictions == Y) / Y.size


def gradient_descent(X, Y, alpha, iterations, rng):
    """Full-batch gradient descent from init_params(rng, X.shape[0])."""
    W1, b1, W2, b2 = init_params(rng, X.shape[0])
    step = 0
    while step < iterations:
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2,
                                       *backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y), alpha)
        step += 1
    return W1, b1, W2, b2
