"""Stage 6: grad + jit + vmap, with the parameters as one pytree.

The four arrays travel together as one dict {"W1", "b1", "W2", "b2"} (stage-3
row-layout shapes). Because a dict is a pytree, jax.value_and_grad returns the
gradients as a dict of the same shape and jax.tree_util.tree_map updates every
leaf in one line; the whole training step is then a single jitted function.
"""
import jax
import jax.numpy as jnp


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    """The params dict: W1 (n_hidden, n_in), b1 (n_hidden,), W2 (n_out, n_hidden), b2 (n_out,).

    Every entry is float32, uniform on [-0.5, 0.5), drawn from its own subkey of `key`.
    """
    # TODO: split the key in four and return a dict of four jax.random.uniform draws.
    raise NotImplementedError("stage 6: init_params")


def forward(params, x):
    """Logits (n_out,) of ONE example x (n_in,)."""
    # TODO: hidden = jax.nn.relu(W1 @ x + b1); return W2 @ hidden + b2 (no softmax).
    raise NotImplementedError("stage 6: forward")


@jax.jit
def batched_forward(params, X):
    """Logits (m, n_out) of the m rows of X (m, n_in): forward, vectorised with jax.vmap."""
    # TODO: return jax.vmap(forward, in_axes=...)(params, X): params shared, X mapped by rows.
    raise NotImplementedError("stage 6: batched_forward")


@jax.jit
def loss_fn(params, X, Y):
    """Mean cross-entropy of the m rows of X against the labels Y (m,), computed from logits."""
    # TODO: log-probs = logits - logsumexp(logits) per row; average -log p(true class).
    raise NotImplementedError("stage 6: loss_fn")


@jax.jit
def train_step(params, X, Y, alpha):
    """One SGD step: (new params, loss of the params passed in)."""
    # TODO: jax.value_and_grad(loss_fn), then p - alpha * g with jax.tree_util.tree_map.
    raise NotImplementedError("stage 6: train_step")


def get_predictions(logits):
    """Index of the largest logit of each row, shape (m,)."""
    # TODO: jnp.argmax over axis 1.
    raise NotImplementedError("stage 6: get_predictions")


def get_accuracy(predictions, Y):
    """Fraction of correct predictions, a 0-d array in [0, 1]."""
    # TODO: the mean of predictions == Y.
    raise NotImplementedError("stage 6: get_accuracy")


def gradient_descent(X, Y, alpha, iterations, key):
    """Train from init_params(key, X.shape[1]) with `iterations` calls of train_step."""
    # TODO: params = init_params(key, X.shape[1]); then loop params, loss = train_step(...).
    raise NotImplementedError("stage 6: gradient_descent")
