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
    # TODO: Draw W1 (n_hidden, n_in), b1 (n_hidden,), W2 (n_out, n_hidden), b2 (n_out,),
    #       float32 uniform on [-0.5, 0.5), each from its own subkey; the biases are vectors now.
    raise NotImplementedError("stage 3: init_params")


def relu(z):
    """Elementwise max(z, 0)."""
    # TODO: Keep each positive entry of z and replace every other entry by 0; any shape works.
    raise NotImplementedError("stage 3: relu")


def relu_deriv(z):
    """Derivative of ReLU, z's shape: 1 where z > 0, else 0 (float32, or the boolean mask z > 0)."""
    # TODO: ReLU's slope for every entry of z, in z's shape: 1 where z is positive, 0 elsewhere
    #       (z == 0 included), as float32 or as a boolean mask (it multiplies like 1.0 and 0.0).
    raise NotImplementedError("stage 3: relu_deriv")


def softmax(z):
    """Softmax of ONE logit vector z (n_out,); the result sums to 1."""
    # TODO: Turn ONE logit vector z (n_out,) into probabilities summing to 1; no batch axis here.
    #       exp overflows for large logits, but shifting all of z by one constant changes nothing.
    raise NotImplementedError("stage 3: softmax")


def forward(W1, b1, W2, b2, x):
    """Forward pass of ONE example x (n_in,): returns (z1, a1, z2, a2), all vectors."""
    # TODO: For ONE example x (n_in,): z1, a1 (n_hidden,) then z2, a2 (n_out,), the same layers
    #       as before but on vectors; no batch axis and no transposes, vmap adds the batch.
    raise NotImplementedError("stage 3: forward")


def batched_forward(W1, b1, W2, b2, X):
    """`forward` vectorised with jax.vmap over the rows of X (m, n_in): (Z1, A1, Z2, A2), one row each."""
    # TODO: Use jax.vmap to run forward on every row of X (m, n_in), the parameters shared by all
    #       rows; returns Z1, A1 (m, n_hidden) and Z2, A2 (m, n_out), one row per example.
    raise NotImplementedError("stage 3: batched_forward")


def one_hot(Y, num_classes=10):
    """Labels (m,) -> (m, num_classes) float32 array with a single 1 per row."""
    # TODO: A (m, num_classes) float32 array: row i all 0 but a 1 in the column of its label.
    #       Size it by num_classes, not the labels; build it whole, JAX arrays cannot be written into.
    raise NotImplementedError("stage 3: one_hot")


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    """Gradients (dW1, db1, dW2, db2) of the mean cross-entropy over the m rows of X.

    Z1, A1: (m, n_hidden); Z2, A2: (m, n_out); the gradients are shaped like the parameters.
    """
    # TODO: The stage-2 gradients for examples in rows: mean over the m rows of this X, each
    #       gradient shaped like its parameter, each bias gradient summed over the examples.
    raise NotImplementedError("stage 3: backward_prop")


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    """One gradient step p - alpha * dp, returning new arrays."""
    # TODO: Return new parameters, each moved a step of size alpha against its gradient.
    raise NotImplementedError("stage 3: update_params")


def get_predictions(A2):
    """Index of the most probable class for each row of A2 (m, n_out), shape (m,)."""
    # TODO: For each row of A2 (m, n_out), the index of its most probable class: shape (m,).
    raise NotImplementedError("stage 3: get_predictions")


def get_accuracy(predictions, Y):
    """Fraction of correct predictions, a 0-d array in [0, 1]."""
    # TODO: The fraction of predictions that equal their label in Y, a 0-d array in [0, 1].
    raise NotImplementedError("stage 3: get_accuracy")


def gradient_descent(X, Y, alpha, iterations, key):
    """Train from init_params(key, X.shape[1]) with `iterations` full-batch steps of size alpha."""
    # TODO: Start from init_params with your key and X's number of features (its columns now),
    #       then `iterations` full-batch steps: batched_forward, backward_prop, update_params.
    raise NotImplementedError("stage 3: gradient_descent")
