"""Stage 2: the stage-1 network ported to jax.numpy.

Same names, signatures and column layout as stage 1, but every function is
pure (it returns new arrays, never updates one in place) and computes in
float32. Randomness comes from a JAX PRNG key instead of a NumPy Generator.
"""
import jax
import jax.numpy as jnp


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    """Draw W1, b1, W2, b2 uniformly from [-0.5, 0.5) with the PRNG key `key`."""
    # TODO: Draw W1 (n_hidden, n_in), b1 (n_hidden, 1), W2 (n_out, n_hidden), b2 (n_out, 1),
    #       float32 uniform on [-0.5, 0.5), each from its own subkey of key (use each once).
    raise NotImplementedError("stage 2: init_params")


def relu(Z):
    """Elementwise max(Z, 0)."""
    # TODO: Keep each positive entry of Z and replace every other entry by 0, with jax.numpy.
    raise NotImplementedError("stage 2: relu")


def relu_deriv(Z):
    """Derivative of ReLU, Z's shape: 1 where Z > 0, else 0 (float32, or the boolean mask Z > 0)."""
    # TODO: ReLU's slope for every entry of Z, in Z's shape: 1 where Z is positive, 0 elsewhere
    #       (Z == 0 included), as float32 or as a boolean mask (it multiplies like 1.0 and 0.0).
    raise NotImplementedError("stage 2: relu_deriv")


def softmax(Z):
    """Column-wise softmax of (n_out, m) logits; each column sums to 1."""
    # TODO: Turn each column of Z (n_out, m) into probabilities that sum to 1. float32 exp
    #       overflows near 90: shifting a column by a constant changes nothing.
    raise NotImplementedError("stage 2: softmax")


def forward_prop(W1, b1, W2, b2, X):
    """Forward pass returning (Z1, A1, Z2, A2), as in stage 1."""
    # TODO: The stage-1 forward pass in jax.numpy: Z1, A1 (n_hidden, m), then Z2, A2 (n_out, m).
    raise NotImplementedError("stage 2: forward_prop")


def one_hot(Y, num_classes=10):
    """Labels (m,) -> (num_classes, m) float32 array, built without in-place updates."""
    # TODO: A (num_classes, m) float32 array: column i all 0 but a 1 in the row of its label.
    #       JAX arrays cannot be written into, so build it whole; size it by num_classes.
    raise NotImplementedError("stage 2: one_hot")


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    """Gradients (dW1, db1, dW2, db2) of the mean cross-entropy over the m examples."""
    # TODO: The stage-1 gradients in jax.numpy: mean over the m columns of this X, each gradient
    #       shaped like its parameter, each bias gradient summed over the examples only.
    raise NotImplementedError("stage 2: backward_prop")


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    """One gradient step p - alpha * dp, returning new arrays."""
    # TODO: Return new parameters, each moved a step of size alpha against its gradient.
    raise NotImplementedError("stage 2: update_params")


def get_predictions(A2):
    """Index of the most probable class for each column, shape (m,)."""
    # TODO: For each column of A2 (n_out, m), the index of its most probable class: shape (m,).
    raise NotImplementedError("stage 2: get_predictions")


def get_accuracy(predictions, Y):
    """Fraction of correct predictions, a 0-d array in [0, 1]."""
    # TODO: The fraction of predictions that equal their label in Y, a 0-d array in [0, 1].
    raise NotImplementedError("stage 2: get_accuracy")


def gradient_descent(X, Y, alpha, iterations, key):
    """Train from init_params(key, X.shape[0]) with `iterations` full-batch steps of size alpha."""
    # TODO: Start from init_params with the key you were given and X's number of features, then
    #       take `iterations` full-batch steps (forward, backward, update with alpha).
    raise NotImplementedError("stage 2: gradient_descent")
