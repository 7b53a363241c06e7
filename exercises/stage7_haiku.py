"""Stage 7: the network as a Haiku module.

The two layers become an `hk.Module`; `hk.transform` turns the function that
uses it into a pair of pure functions, `model.init(key, x)` (which creates the
parameters) and `model.apply(params, x)` (which runs the network). Parameters
are Haiku's nested dict, module name -> {"w": (n_in, n_out), "b": (n_out,)},
and rows are examples: X has shape (m, n_in).
"""
import haiku as hk
import jax
import jax.numpy as jnp


class MLP(hk.Module):
    """Linear -> ReLU -> Linear, returning logits (no softmax)."""

    def __init__(self, n_hidden=10, n_out=10, name=None):
        """Remember the layer sizes; Haiku creates the parameters on the first call."""
        # TODO: call super().__init__(name=name), then keep n_hidden and n_out on self.
        raise NotImplementedError("stage 7: MLP.__init__")

    def __call__(self, x):
        """Logits (m, n_out) for a batch x of shape (m, n_in)."""
        # TODO: hk.Linear(self.n_hidden), jax.nn.relu, then hk.Linear(self.n_out); no softmax.
        raise NotImplementedError("stage 7: MLP.__call__")


def forward_fn(x):
    """Logits of the default 784 -> 10 -> 10 network; only ever called inside hk.transform."""
    # TODO: build an MLP() and call it on x.
    raise NotImplementedError("stage 7: forward_fn")


# The network needs no randomness when it runs, so apply takes (params, x) only.
model = hk.without_apply_rng(hk.transform(forward_fn))


def loss_fn(params, X, Y):
    """Mean cross-entropy of the logits model.apply(params, X) against labels Y."""
    # TODO: jax.nn.log_softmax of the logits (stable), then the mean of -log p[label].
    raise NotImplementedError("stage 7: loss_fn")


def update_params(params, grads, alpha):
    """One SGD step p - alpha * g on every leaf of the parameter tree."""
    # TODO: jax.tree_util.tree_map a function of (p, g) over params and grads.
    raise NotImplementedError("stage 7: update_params")


@jax.jit
def train_step(params, X, Y, alpha):
    """(new_params, loss): one full-batch step, and the loss of the params passed in."""
    # TODO: jax.value_and_grad(loss_fn) at params, then update_params with alpha.
    raise NotImplementedError("stage 7: train_step")


def get_predictions(logits):
    """Most likely class of each row of (m, n_out) logits, shape (m,)."""
    # TODO: jnp.argmax over axis 1.
    raise NotImplementedError("stage 7: get_predictions")


def get_accuracy(predictions, Y):
    """Fraction of correct predictions, a 0-d array in [0, 1]."""
    # TODO: the mean of predictions == Y.
    raise NotImplementedError("stage 7: get_accuracy")


def gradient_descent(X, Y, alpha, iterations, key):
    """Train from model.init(key, X) with `iterations` full-batch steps of size alpha."""
    # TODO: params = model.init(key, X), then call train_step `iterations` times.
    raise NotImplementedError("stage 7: gradient_descent")
