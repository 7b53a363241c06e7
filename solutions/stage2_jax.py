"""Stage 2: the stage-1 network ported to jax.numpy.

Same names, signatures and column layout as stage 1, but every function is
pure (it returns new arrays, never updates one in place) and computes in
float32. Randomness comes from a JAX PRNG key instead of a NumPy Generator.
"""
import jax
import jax.numpy as jnp


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    """Draw W1, b1, W2, b2 uniformly from [-0.5, 0.5) with the PRNG key `key`."""
    ### BEGIN SOLUTION
    # TODO: Draw W1 (n_hidden, n_in), b1 (n_hidden, 1), W2 (n_out, n_hidden), b2 (n_out, 1),
    #       float32 uniform on [-0.5, 0.5), each from its own subkey of key (use each once).
    k1, k2, k3, k4 = jax.random.split(key, 4)
    W1 = jax.random.uniform(k1, (n_hidden, n_in), minval=-0.5, maxval=0.5)
    b1 = jax.random.uniform(k2, (n_hidden, 1), minval=-0.5, maxval=0.5)
    W2 = jax.random.uniform(k3, (n_out, n_hidden), minval=-0.5, maxval=0.5)
    b2 = jax.random.uniform(k4, (n_out, 1), minval=-0.5, maxval=0.5)
    return W1, b1, W2, b2
    ### END SOLUTION


def relu(Z):
    """Elementwise max(Z, 0)."""
    ### BEGIN SOLUTION
    # TODO: Keep each positive entry of Z and replace every other entry by 0, with jax.numpy.
    return jnp.maximum(Z, 0)
    ### END SOLUTION


def relu_deriv(Z):
    """Derivative of ReLU, Z's shape: 1 where Z > 0, else 0 (float32, or the boolean mask Z > 0)."""
    ### BEGIN SOLUTION
    # TODO: ReLU's slope for every entry of Z, in Z's shape: 1 where Z is positive, 0 elsewhere
    #       (Z == 0 included), as float32 or as a boolean mask (it multiplies like 1.0 and 0.0).
    return (Z > 0).astype(jnp.float32)
    ### END SOLUTION


def softmax(Z):
    """Column-wise softmax of (n_out, m) logits; each column sums to 1."""
    ### BEGIN SOLUTION
    # TODO: Turn each column of Z (n_out, m) into probabilities that sum to 1. float32 exp
    #       overflows near 90: shifting a column by a constant changes nothing.
    shifted = Z - Z.max(axis=0, keepdims=True)
    E = jnp.exp(shifted)
    return E / E.sum(axis=0, keepdims=True)
    ### END SOLUTION


def forward_prop(W1, b1, W2, b2, X):
    """Forward pass returning (Z1, A1, Z2, A2), as in stage 1."""
    ### BEGIN SOLUTION
    # TODO: The stage-1 forward pass in jax.numpy: Z1, A1 (n_hidden, m), then Z2, A2 (n_out, m).
    Z1 = W1 @ X + b1  # (n_hidden, m)
    A1 = relu(Z1)
    Z2 = W2 @ A1 + b2  # (n_out, m)
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2
    ### END SOLUTION


def one_hot(Y, num_classes=10):
    """Labels (m,) -> (num_classes, m) float32 array, built without in-place updates."""
    ### BEGIN SOLUTION
    # TODO: A (num_classes, m) float32 array: column i all 0 but a 1 in the row of its label.
    #       JAX arrays cannot be written into, so build it whole; size it by num_classes.
    return (jnp.arange(num_classes)[:, None] == Y[None, :]).astype(jnp.float32)
    ### END SOLUTION


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    """Gradients (dW1, db1, dW2, db2) of the mean cross-entropy over the m examples."""
    ### BEGIN SOLUTION
    # TODO: The stage-1 gradients in jax.numpy: mean over the m columns of this X, each gradient
    #       shaped like its parameter, each bias gradient summed over the examples only.
    m = X.shape[1]
    dZ2 = (A2 - one_hot(Y, A2.shape[0])) / m
    dW2 = dZ2 @ A1.T
    db2 = dZ2.sum(axis=1, keepdims=True)
    dZ1 = (W2.T @ dZ2) * relu_deriv(Z1)
    dW1 = dZ1 @ X.T
    db1 = dZ1.sum(axis=1, keepdims=True)
    return dW1, db1, dW2, db2
    ### END SOLUTION


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    """One gradient step p - alpha * dp, returning new arrays."""
    ### BEGIN SOLUTION
    # TODO: Return new parameters, each moved a step of size alpha against its gradient.
    return W1 - alpha * dW1, b1 - alpha * db1, W2 - alpha * dW2, b2 - alpha * db2
    ### END SOLUTION


def get_predictions(A2):
    """Index of the most probable class for each column, shape (m,)."""
    ### BEGIN SOLUTION
    # TODO: For each column of A2 (n_out, m), the index of its most probable class: shape (m,).
    return jnp.argmax(A2, axis=0)
    ### END SOLUTION


def get_accuracy(predictions, Y):
    """Fraction of correct predictions, a 0-d array in [0, 1]."""
    ### BEGIN SOLUTION
    # TODO: The fraction of predictions that equal their label in Y, a 0-d array in [0, 1].
    return jnp.mean(predictions == Y)
    ### END SOLUTION


def gradient_descent(X, Y, alpha, iterations, key):
    """Train from init_params(key, X.shape[0]) with `iterations` full-batch steps of size alpha."""
    ### BEGIN SOLUTION
    # TODO: Start from init_params with the key you were given and X's number of features, then
    #       take `iterations` full-batch steps (forward, backward, update with alpha).
    W1, b1, W2, b2 = init_params(key, X.shape[0])
    for _ in range(iterations):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        grads = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, *grads, alpha)
    return W1, b1, W2, b2
    ### END SOLUTION
