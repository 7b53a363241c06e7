"""Stage 3: write the network for ONE example and let jax.vmap batch it.

Row layout: X is (m, n_in), one row per example; biases are vectors. `forward`
sees a single example x of shape (n_in,), so its maths has no batch axis at
all; `batched_forward` is that same function vectorised over the rows of X by
jax.vmap. Every function works for any sizes and any batch size m >= 1.
"""
import jax
import jax.numpy as jnp


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    """Draw W1 (n_hidden, n_in), b1 (n_hidden,), W2 (n_out, n_hidden), b2 (n_out,) from [-0.5, 0.5)."""
    # TODO: split the key in four and draw each array with jax.random.uniform; biases are vectors now.
    raise NotImplementedError("stage 3: init_params")


def relu(z):
    """Elementwise max(z, 0)."""
    # TODO: return jnp.maximum(z, 0).
    raise NotImplementedError("stage 3: relu")


def relu_deriv(z):
    """Derivative of ReLU as a float32 array: 1.0 where z > 0, else 0.0."""
    # TODO: turn the boolean mask z > 0 into float32.
    raise NotImplementedError("stage 3: relu_deriv")


def softmax(z):
    """Softmax of ONE logit vector z (n_out,); the result sums to 1."""
    # TODO: subtract z.max() before jnp.exp so that exp never overflows; no axis is needed for one vector.
    raise NotImplementedError("stage 3: softmax")


def forward(W1, b1, W2, b2, x):
    """Forward pass of ONE example x (n_in,): returns (z1, a1, z2, a2), all vectors."""
    # TODO: z1 = W1 @ x + b1, a1 = relu(z1), z2 = W2 @ a1 + b2, a2 = softmax(z2).
    raise NotImplementedError("stage 3: forward")


def batched_forward(W1, b1, W2, b2, X):
    """`forward` vectorised with jax.vmap over the rows of X (m, n_in): (Z1, A1, Z2, A2), one row each."""
    # TODO: jax.vmap(forward, in_axes=...) mapping over axis 0 of X only (None for the parameters).
    raise NotImplementedError("stage 3: batched_forward")


def one_hot(Y, num_classes=10):
    """Labels (m,) -> (m, num_classes) float32 array with a single 1 per row."""
    # TODO: compare Y[:, None] with jnp.arange(num_classes) (or use jax.nn.one_hot).
    raise NotImplementedError("stage 3: one_hot")


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    """Gradients (dW1, db1, dW2, db2) of the mean cross-entropy over the m rows of X.

    Z1, A1: (m, n_hidden); Z2, A2: (m, n_out); the gradients are shaped like the parameters.
    """
    # TODO: the stage-2 backward pass transposed for rows: m = X.shape[0]; each db sums over axis 0.
    raise NotImplementedError("stage 3: backward_prop")


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    """One gradient step p - alpha * dp, returning new arrays."""
    # TODO: return p - alpha * dp for each parameter.
    raise NotImplementedError("stage 3: update_params")


def get_predictions(A2):
    """Index of the most probable class for each row of A2 (m, n_out), shape (m,)."""
    # TODO: jnp.argmax over the class axis, which is axis 1 in the row layout.
    raise NotImplementedError("stage 3: get_predictions")


def get_accuracy(predictions, Y):
    """Fraction of correct predictions, a 0-d array in [0, 1]."""
    # TODO: the mean of predictions == Y.
    raise NotImplementedError("stage 3: get_accuracy")


def gradient_descent(X, Y, alpha, iterations, key):
    """Train from init_params(key, X.shape[1]) with `iterations` full-batch steps of size alpha."""
    # TODO: init with init_params(key, X.shape[1]), then loop batched_forward, backward_prop, update_params.
    raise NotImplementedError("stage 3: gradient_descent")
