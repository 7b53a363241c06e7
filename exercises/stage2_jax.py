"""Stage 2: the stage-1 network ported to jax.numpy.

Same names, signatures and column layout as stage 1, but every function is
pure (it returns new arrays, never updates one in place) and computes in
float32. Randomness comes from a JAX PRNG key instead of a NumPy Generator.
"""
import jax
import jax.numpy as jnp


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    """Draw W1, b1, W2, b2 uniformly from [-0.5, 0.5) with the PRNG key `key`."""
    # TODO: split the key in four and draw each array with jax.random.uniform(k, shape, minval=-0.5, maxval=0.5).
    raise NotImplementedError("stage 2: init_params")


def relu(Z):
    """Elementwise max(Z, 0)."""
    # TODO: return jnp.maximum(Z, 0).
    raise NotImplementedError("stage 2: relu")


def relu_deriv(Z):
    """Derivative of ReLU as a float32 array: 1.0 where Z > 0, else 0.0."""
    # TODO: turn the boolean mask Z > 0 into float32.
    raise NotImplementedError("stage 2: relu_deriv")


def softmax(Z):
    """Column-wise softmax of (n_out, m) logits; each column sums to 1."""
    # TODO: subtract each column's max before jnp.exp so that exp never overflows.
    raise NotImplementedError("stage 2: softmax")


def forward_prop(W1, b1, W2, b2, X):
    """Forward pass returning (Z1, A1, Z2, A2), as in stage 1."""
    # TODO: the stage-1 forward pass with jnp in place of np.
    raise NotImplementedError("stage 2: forward_prop")


def one_hot(Y, num_classes=10):
    """Labels (m,) -> (num_classes, m) float32 array, built without in-place updates."""
    # TODO: compare jnp.arange(num_classes)[:, None] with Y[None, :] (or use jax.nn.one_hot and transpose).
    raise NotImplementedError("stage 2: one_hot")


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    """Gradients (dW1, db1, dW2, db2) of the mean cross-entropy over the m examples."""
    # TODO: the stage-1 backward pass with jnp; m = X.shape[1]; sum each db over examples.
    raise NotImplementedError("stage 2: backward_prop")


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    """One gradient step p - alpha * dp, returning new arrays."""
    # TODO: return p - alpha * dp for each parameter.
    raise NotImplementedError("stage 2: update_params")


def get_predictions(A2):
    """Index of the most probable class for each column, shape (m,)."""
    # TODO: jnp.argmax over axis 0.
    raise NotImplementedError("stage 2: get_predictions")


def get_accuracy(predictions, Y):
    """Fraction of correct predictions, a 0-d array in [0, 1]."""
    # TODO: the mean of predictions == Y.
    raise NotImplementedError("stage 2: get_accuracy")


def gradient_descent(X, Y, alpha, iterations, key):
    """Train from init_params(key, X.shape[0]) with `iterations` full-batch steps of size alpha."""
    # TODO: init with init_params(key, X.shape[0]), then loop forward, backward, update.
    raise NotImplementedError("stage 2: gradient_descent")
