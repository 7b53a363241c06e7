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
    ### BEGIN SOLUTION
    # TODO: Draw W1 (n_hidden, n_in), b1 (n_hidden,), W2 (n_out, n_hidden), b2 (n_out,),
    #       float32 uniform on [-0.5, 0.5), each from its own subkey; the biases are vectors now.
    k1, k2, k3, k4 = jax.random.split(key, 4)
    W1 = jax.random.uniform(k1, (n_hidden, n_in), minval=-0.5, maxval=0.5)
    b1 = jax.random.uniform(k2, (n_hidden,), minval=-0.5, maxval=0.5)
    W2 = jax.random.uniform(k3, (n_out, n_hidden), minval=-0.5, maxval=0.5)
    b2 = jax.random.uniform(k4, (n_out,), minval=-0.5, maxval=0.5)
    return W1, b1, W2, b2
    ### END SOLUTION


def relu(z):
    """Elementwise max(z, 0)."""
    ### BEGIN SOLUTION
    # TODO: Keep each positive entry of z and replace every other entry by 0; any shape works.
    return jnp.maximum(z, 0)
    ### END SOLUTION


def relu_deriv(z):
    """Derivative of ReLU, z's shape: 1 where z > 0, else 0 (float32, or the boolean mask z > 0)."""
    ### BEGIN SOLUTION
    # TODO: ReLU's slope for every entry of z, in z's shape: 1 where z is positive, 0 elsewhere
    #       (z == 0 included), as float32 or as a boolean mask (it multiplies like 1.0 and 0.0).
    return (z > 0).astype(jnp.float32)
    ### END SOLUTION


def softmax(z):
    """Softmax of ONE logit vector z (n_out,); the result sums to 1."""
    ### BEGIN SOLUTION
    # TODO: Turn ONE logit vector z (n_out,) into probabilities summing to 1; no batch axis here.
    #       exp overflows for large logits, but shifting all of z by one constant changes nothing.
    e = jnp.exp(z - z.max())
    return e / e.sum()
    ### END SOLUTION


def forward(W1, b1, W2, b2, x):
    """Forward pass of ONE example x (n_in,): returns (z1, a1, z2, a2), all vectors."""
    ### BEGIN SOLUTION
    # TODO: For ONE example x (n_in,): z1, a1 (n_hidden,) then z2, a2 (n_out,), the same layers
    #       as before but on vectors; no batch axis and no transposes, vmap adds the batch.
    z1 = W1 @ x + b1  # (n_hidden, n_in) @ (n_in,) -> (n_hidden,)
    a1 = relu(z1)
    z2 = W2 @ a1 + b2  # (n_out, n_hidden) @ (n_hidden,) -> (n_out,)
    a2 = softmax(z2)
    return z1, a1, z2, a2
    ### END SOLUTION


def batched_forward(W1, b1, W2, b2, X):
    """`forward` vectorised with jax.vmap over the rows of X (m, n_in): (Z1, A1, Z2, A2), one row each."""
    ### BEGIN SOLUTION
    # TODO: Use jax.vmap to run forward on every row of X (m, n_in), the parameters shared by all
    #       rows; returns Z1, A1 (m, n_hidden) and Z2, A2 (m, n_out), one row per example.
    over_rows = jax.vmap(forward, in_axes=(None, None, None, None, 0))
    return over_rows(W1, b1, W2, b2, X)
    ### END SOLUTION


def one_hot(Y, num_classes=10):
    """Labels (m,) -> (m, num_classes) float32 array with a single 1 per row."""
    ### BEGIN SOLUTION
    # TODO: A (m, num_classes) float32 array: row i all 0 but a 1 in the column of its label.
    #       Size it by num_classes, not the labels; build it whole, JAX arrays cannot be written into.
    return (Y[:, None] == jnp.arange(num_classes)).astype(jnp.float32)
    ### END SOLUTION


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    """Gradients (dW1, db1, dW2, db2) of the mean cross-entropy over the m rows of X.

    Z1, A1: (m, n_hidden); Z2, A2: (m, n_out); the gradients are shaped like the parameters.
    """
    ### BEGIN SOLUTION
    # TODO: The stage-2 gradients for examples in rows: mean over the m rows of this X, each
    #       gradient shaped like its parameter, each bias gradient summed over the examples.
    m = X.shape[0]
    dZ2 = (A2 - one_hot(Y, A2.shape[1])) / m  # (m, n_out)
    dW2 = dZ2.T @ A1  # (n_out, m) @ (m, n_hidden) -> (n_out, n_hidden)
    db2 = dZ2.sum(axis=0)  # over examples, not over units
    dZ1 = (dZ2 @ W2) * relu_deriv(Z1)  # (m, n_hidden)
    dW1 = dZ1.T @ X
    db1 = dZ1.sum(axis=0)
    return dW1, db1, dW2, db2
    ### END SOLUTION


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    """One gradient step p - alpha * dp, returning new arrays."""
    ### BEGIN SOLUTION
    # TODO: Return new parameters, each moved a step of size alpha against its gradient.
    return W1 - alpha * dW1, b1 - alpha * db1, W2 - alpha * dW2, b2 - alpha * db2
    ### END SOLUTION


def get_predictions(A2):
    """Index of the most probable class for each row of A2 (m, n_out), shape (m,)."""
    ### BEGIN SOLUTION
    # TODO: For each row of A2 (m, n_out), the index of its most probable class: shape (m,).
    return jnp.argmax(A2, axis=1)
    ### END SOLUTION


def get_accuracy(predictions, Y):
    """Fraction of correct predictions, a 0-d array in [0, 1]."""
    ### BEGIN SOLUTION
    # TODO: The fraction of predictions that equal their label in Y, a 0-d array in [0, 1].
    return jnp.mean(predictions == Y)
    ### END SOLUTION


def gradient_descent(X, Y, alpha, iterations, key):
    """Train from init_params(key, X.shape[1]) with `iterations` full-batch steps of size alpha."""
    ### BEGIN SOLUTION
    # TODO: Start from init_params with your key and X's number of features (its columns now),
    #       then `iterations` full-batch steps: batched_forward, backward_prop, update_params.
    W1, b1, W2, b2 = init_params(key, X.shape[1])
    for _ in range(iterations):
        Z1, A1, Z2, A2 = batched_forward(W1, b1, W2, b2, X)
        grads = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, *grads, alpha)
    return W1, b1, W2, b2
    ### END SOLUTION
