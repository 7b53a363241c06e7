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
    # TODO: Draw W1, b1, W2, b2 (shapes in the docstring) uniformly from [-0.5, 0.5), in float32,
    #       each from its own piece of `key`: a JAX key gives the same numbers every time it is used.
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
    # TODO: Keep the positive entries of z and set the others to 0, elementwise; same shape as z.
    return jnp.maximum(z, 0)
    ### END SOLUTION


def softmax(z):
    """Softmax of ONE logit vector z (n_out,); the result sums to 1."""
    ### BEGIN SOLUTION
    # TODO: Probabilities (n_out,) that sum to 1 for ONE logit vector z (n_out,). Keep it finite for
    #       huge logits: adding one constant to every logit does not change the softmax.
    e = jnp.exp(z - z.max())
    return e / e.sum()
    ### END SOLUTION


def forward(W1, b1, W2, b2, x):
    """Logits z2 (n_out,) of ONE example x (n_in,); no softmax here, loss_fn works from logits."""
    ### BEGIN SOLUTION
    # TODO: Logits (n_out,) of ONE example x (n_in,): a hidden layer (n_hidden,) through relu, then
    #       the output layer. Stop at the logits: the loss turns them into probabilities, stably.
    a1 = relu(W1 @ x + b1)  # (n_hidden,)
    return W2 @ a1 + b2  # (n_out,)
    ### END SOLUTION


def batched_forward(W1, b1, W2, b2, X):
    """`forward` vectorised with jax.vmap over the rows of X (m, n_in): logits (m, n_out)."""
    ### BEGIN SOLUTION
    # TODO: Logits (m, n_out) for the m rows of X (m, n_in): let jax.vmap run forward on each row,
    #       every row sharing the same four parameters. No Python loop over the examples.
    return jax.vmap(forward, in_axes=(None, None, None, None, 0))(W1, b1, W2, b2, X)
    ### END SOLUTION


def one_hot(Y, num_classes=10):
    """Labels (m,) -> (m, num_classes) float32 array with a single 1 per row."""
    ### BEGIN SOLUTION
    # TODO: (m, num_classes) float array with a single 1 per row, in the label's column; sized by
    #       num_classes, so a batch that lacks some class still gets a column for it.
    return (Y[:, None] == jnp.arange(num_classes)).astype(jnp.float32)
    ### END SOLUTION


@jax.jit
def loss_fn(W1, b1, W2, b2, X, Y):
    """Mean cross-entropy over the m rows of X, computed stably from the logits."""
    ### BEGIN SOLUTION
    # TODO: One number: the mean over the m rows of minus the log-probability of the true label.
    #       Get log-probabilities straight from the logits so logits of 1e3 cannot give log(0).
    logits = batched_forward(W1, b1, W2, b2, X)  # (m, n_out)
    log_probs = jax.nn.log_softmax(logits, axis=1)  # logits - logsumexp: finite for any logits
    return -jnp.mean(jnp.sum(log_probs * one_hot(Y, logits.shape[1]), axis=1))
    ### END SOLUTION


@jax.jit
def grads(W1, b1, W2, b2, X, Y):
    """(dW1, db1, dW2, db2): jax.grad of loss_fn with respect to all four parameters."""
    ### BEGIN SOLUTION
    # TODO: (dW1, db1, dW2, db2), each shaped like its parameter: let jax.grad differentiate loss_fn
    #       with respect to all four parameters, not only the first argument.
    return jax.grad(loss_fn, argnums=(0, 1, 2, 3))(W1, b1, W2, b2, X, Y)
    ### END SOLUTION


@jax.jit
def update_params(W1, b1, W2, b2, alpha, X, Y):
    """One gradient step of size alpha on the batch (X, Y): new (W1, b1, W2, b2)."""
    ### BEGIN SOLUTION
    # TODO: New (W1, b1, W2, b2) after one gradient-descent step on (X, Y): move each parameter
    #       against its gradient from grads, scaled by the alpha you are given.
    dW1, db1, dW2, db2 = grads(W1, b1, W2, b2, X, Y)
    return W1 - alpha * dW1, b1 - alpha * db1, W2 - alpha * dW2, b2 - alpha * db2
    ### END SOLUTION


def get_predictions(logits):
    """Index of the highest logit for each row of logits (m, n_out), shape (m,)."""
    ### BEGIN SOLUTION
    # TODO: (m,) integer class per row of logits (m, n_out): the position of the largest logit.
    #       No softmax needed: it does not change which logit is largest.
    return jnp.argmax(logits, axis=1)
    ### END SOLUTION


def get_accuracy(predictions, Y):
    """Fraction of correct predictions, a 0-d array in [0, 1]."""
    ### BEGIN SOLUTION
    # TODO: A 0-d array in [0, 1]: the fraction of the m predictions that equal their label.
    return jnp.mean(predictions == Y)
    ### END SOLUTION


def gradient_descent(X, Y, alpha, iterations, key):
    """Train from init_params(key, X.shape[1]) with `iterations` full-batch steps of size alpha."""
    ### BEGIN SOLUTION
    # TODO: Start from init_params with `key` and X's number of features, then take exactly
    #       `iterations` full-batch steps of size alpha; return the four trained parameters.
    W1, b1, W2, b2 = init_params(key, X.shape[1])
    for _ in range(iterations):
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, alpha, X, Y)
    return W1, b1, W2, b2
    ### END SOLUTION
