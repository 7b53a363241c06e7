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
    # TODO: The params dict {'W1', 'b1', 'W2', 'b2'} (shapes in the docstring), float32, uniform on
    #       [-0.5, 0.5); give each array its own subkey so that no two share their random numbers.
    raise NotImplementedError("stage 6: init_params")


def forward(params, x):
    """Logits (n_out,) of ONE example x (n_in,)."""
    # TODO: Logits (n_out,) of ONE example x (n_in,), from the arrays in params: a relu hidden
    #       layer (n_hidden,), then the output layer. No softmax: the loss works from logits.
    raise NotImplementedError("stage 6: forward")


@jax.jit
def batched_forward(params, X):
    """Logits (m, n_out) of the m rows of X (m, n_in): forward, vectorised with jax.vmap."""
    # TODO: Logits (m, n_out): let jax.vmap map forward over the rows of X (m, n_in), the params
    #       dict shared by every row, not mapped. JAX then traces forward once for any m.
    raise NotImplementedError("stage 6: batched_forward")


@jax.jit
def loss_fn(params, X, Y):
    """Mean cross-entropy of the m rows of X against the labels Y (m,), computed from logits."""
    # TODO: One number: the mean over the m rows of minus the log-probability of the true class,
    #       computed straight from the logits (m, n_out) so that logits of 1e3 cannot give log(0).
    raise NotImplementedError("stage 6: loss_fn")


@jax.jit
def train_step(params, X, Y, alpha):
    """One SGD step: (new params, loss of the params passed in)."""
    # TODO: (new params, loss): one SGD step of size alpha on every leaf of the params dict, with
    #       loss and gradients from one jax.value_and_grad; the loss is that of the params passed in.
    raise NotImplementedError("stage 6: train_step")


def get_predictions(logits):
    """Index of the largest logit of each row, shape (m,)."""
    # TODO: (m,) integer class per row of logits (m, n_out): the position of the largest logit.
    raise NotImplementedError("stage 6: get_predictions")


def get_accuracy(predictions, Y):
    """Fraction of correct predictions, a 0-d array in [0, 1]."""
    # TODO: A 0-d array in [0, 1]: the fraction of the m predictions that equal their label.
    raise NotImplementedError("stage 6: get_accuracy")


def gradient_descent(X, Y, alpha, iterations, key):
    """Train from init_params(key, X.shape[1]) with `iterations` calls of train_step."""
    # TODO: Start from init_params with `key` and X's number of features (its columns), then call
    #       train_step exactly `iterations` times with alpha; return the trained params dict.
    raise NotImplementedError("stage 6: gradient_descent")
