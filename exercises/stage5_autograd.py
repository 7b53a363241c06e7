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
    # TODO: as in stage 3: split the key in four and draw each array with jax.random.uniform.
    raise NotImplementedError("stage 5: init_params")


def relu(z):
    """Elementwise max(z, 0)."""
    # TODO: return jnp.maximum(z, 0).
    raise NotImplementedError("stage 5: relu")


def softmax(z):
    """Softmax of ONE logit vector z (n_out,); the result sums to 1."""
    # TODO: as in stage 3: subtract z.max() before jnp.exp.
    raise NotImplementedError("stage 5: softmax")


def forward(W1, b1, W2, b2, x):
    """Logits z2 (n_out,) of ONE example x (n_in,); no softmax here, loss_fn works from logits."""
    # TODO: z2 = W2 @ relu(W1 @ x + b1) + b2.
    raise NotImplementedError("stage 5: forward")


def batched_forward(W1, b1, W2, b2, X):
    """`forward` vectorised with jax.vmap over the rows of X (m, n_in): logits (m, n_out)."""
    # TODO: jax.vmap(forward, in_axes=(None, None, None, None, 0)).
    raise NotImplementedError("stage 5: batched_forward")


def one_hot(Y, num_classes=10):
    """Labels (m,) -> (m, num_classes) float32 array with a single 1 per row."""
    # TODO: as in stage 3.
    raise NotImplementedError("stage 5: one_hot")


@jax.jit
def loss_fn(W1, b1, W2, b2, X, Y):
    """Mean cross-entropy over the m rows of X, computed stably from the logits."""
    # TODO: log-probabilities with jax.nn.log_softmax (never jnp.log(softmax(...))), then the mean of -log p[label].
    raise NotImplementedError("stage 5: loss_fn")


@jax.jit
def grads(W1, b1, W2, b2, X, Y):
    """(dW1, db1, dW2, db2): jax.grad of loss_fn with respect to all four parameters."""
    # TODO: jax.grad(loss_fn, argnums=(0, 1, 2, 3)) differentiates every parameter at once.
    raise NotImplementedError("stage 5: grads")


@jax.jit
def update_params(W1, b1, W2, b2, alpha, X, Y):
    """One gradient step of size alpha on the batch (X, Y): new (W1, b1, W2, b2)."""
    # TODO: p - alpha * dp for each parameter, with dp from grads(...).
    raise NotImplementedError("stage 5: update_params")


def get_predictions(logits):
    """Index of the highest logit for each row of logits (m, n_out), shape (m,)."""
    # TODO: jnp.argmax over axis 1 (softmax does not change which entry is largest).
    raise NotImplementedError("stage 5: get_predictions")


def get_accuracy(predictions, Y):
    """Fraction of correct predictions, a 0-d array in [0, 1]."""
    # TODO: the mean of predictions == Y.
    raise NotImplementedError("stage 5: get_accuracy")


def gradient_descent(X, Y, alpha, iterations, key):
    """Train from init_params(key, X.shape[1]) with `iterations` full-batch steps of size alpha."""
    # TODO: init with init_params(key, X.shape[1]), then call update_params `iterations` times.
    raise NotImplementedError("stage 5: gradient_descent")
