"""Stage 5: let jax.grad write the backward pass.

Row layout as in stage 3: X is (m, n_in), one row per example; biases are
vectors. `forward` now returns the logits of ONE example, `loss_fn` is the mean
cross-entropy computed stably from logits, and jax.grad of `loss_fn` replaces
the hand-written backprop. jit is allowed but not required: the three
functions that differentiate are jitted here, as in stage 4, so that training
is fast; remove an @jax.jit while you debug that function with print.
"""
import jax
import jax.numpy as jnp


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    """Draw W1 (n_hidden, n_in), b1 (n_hidden,), W2 (n_out, n_hidden), b2 (n_out,) from [-0.5, 0.5)."""
    ### BEGIN SOLUTION
    # TODO: as in stage 3: split the key in four and draw each array with jax.random.uniform.
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
    # TODO: return jnp.maximum(z, 0).
    return jnp.maximum(z, 0)
    ### END SOLUTION


def softmax(z):
    """Softmax of ONE logit vector z (n_out,); the result sums to 1."""
    ### BEGIN SOLUTION
    # TODO: as in stage 3: subtract z.max() before jnp.exp.
    e = jnp.exp(z - z.max())
    return e / e.sum()
    ### END SOLUTION


def forward(W1, b1, W2, b2, x):
    """Logits z2 (n_out,) of ONE example x (n_in,); no softmax here, loss_fn works from logits."""
    ### BEGIN SOLUTION
    # TODO: z2 = W2 @ relu(W1 @ x + b1) + b2.
    a1 = relu(W1 @ x + b1)  # (n_hidden,)
    return W2 @ a1 + b2  # (n_out,)
    ### END SOLUTION


def batched_forward(W1, b1, W2, b2, X):
    """`forward` vectorised with jax.vmap over the rows of X (m, n_in): logits (m, n_out)."""
    ### BEGIN SOLUTION
    # TODO: jax.vmap(forward, in_axes=(None, None, None, None, 0)).
    return jax.vmap(forward, in_axes=(None, None, None, None, 0))(W1, b1, W2, b2, X)
    ### END SOLUTION


def one_hot(Y, num_classes=10):
    """Labels (m,) -> (m, num_classes) float32 array with a single 1 per row."""
    ### BEGIN SOLUTION
    # TODO: as in stage 3.
    return (Y[:, None] == jnp.arange(num_classes)).astype(jnp.float32)
    ### END SOLUTION


@jax.jit
def loss_fn(W1, b1, W2, b2, X, Y):
    """Mean cross-entropy over the m rows of X, computed stably from the logits."""
    ### BEGIN SOLUTION
    # TODO: log-probabilities with jax.nn.log_softmax (never jnp.log(softmax(...))), then the mean of -log p[label].
    logits = batched_forward(W1, b1, W2, b2, X)  # (m, n_out)
    log_probs = jax.nn.log_softmax(logits, axis=1)  # logits - logsumexp: finite for any logits
    return -jnp.mean(jnp.sum(log_probs * one_hot(Y, logits.shape[1]), axis=1))
    ### END SOLUTION


@jax.jit
def grads(W1, b1, W2, b2, X, Y):
    """(dW1, db1, dW2, db2): jax.grad of loss_fn with respect to all four parameters."""
    ### BEGIN SOLUTION
    # TODO: jax.grad(loss_fn, argnums=(0, 1, 2, 3)) differentiates every parameter at once.
    return jax.grad(loss_fn, argnums=(0, 1, 2, 3))(W1, b1, W2, b2, X, Y)
    ### END SOLUTION


@jax.jit
def update_params(W1, b1, W2, b2, alpha, X, Y):
    """One gradient step of size alpha on the batch (X, Y): new (W1, b1, W2, b2)."""
    ### BEGIN SOLUTION
    # TODO: p - alpha * dp for each parameter, with dp from grads(...).
    dW1, db1, dW2, db2 = grads(W1, b1, W2, b2, X, Y)
    return W1 - alpha * dW1, b1 - alpha * db1, W2 - alpha * dW2, b2 - alpha * db2
    ### END SOLUTION


def get_predictions(logits):
    """Index of the highest logit for each row of logits (m, n_out), shape (m,)."""
    ### BEGIN SOLUTION
    # TODO: jnp.argmax over axis 1 (softmax does not change which entry is largest).
    return jnp.argmax(logits, axis=1)
    ### END SOLUTION


def get_accuracy(predictions, Y):
    """Fraction of correct predictions, a 0-d array in [0, 1]."""
    ### BEGIN SOLUTION
    # TODO: the mean of predictions == Y.
    return jnp.mean(predictions == Y)
    ### END SOLUTION


def gradient_descent(X, Y, alpha, iterations, key):
    """Train from init_params(key, X.shape[1]) with `iterations` full-batch steps of size alpha."""
    ### BEGIN SOLUTION
    # TODO: init with init_params(key, X.shape[1]), then call update_params `iterations` times.
    W1, b1, W2, b2 = init_params(key, X.shape[1])
    for _ in range(iterations):
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, alpha, X, Y)
    return W1, b1, W2, b2
    ### END SOLUTION
