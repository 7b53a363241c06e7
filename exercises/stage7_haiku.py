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
        # TODO: Set up the hk.Module base class first (it needs the name), then remember n_hidden and
        #       n_out on self: Haiku creates the layers and their parameters later, in __call__.
        raise NotImplementedError("stage 7: MLP.__init__")

    def __call__(self, x):
        """Logits (m, n_out) for a batch x of shape (m, n_in)."""
        # TODO: Logits (m, n_out) for x (m, n_in), through a hidden layer (m, self.n_hidden) of Haiku
        #       layers; the ReLU between them keeps two linear maps from collapsing. No softmax.
        raise NotImplementedError("stage 7: MLP.__call__")


def forward_fn(x):
    """Logits of the default 784 -> 10 -> 10 network; only ever called inside hk.transform."""
    # TODO: The default network's logits for x: create the module here, inside the function that
    #       hk.transform wraps (Haiku modules only live there), and call it on x.
    raise NotImplementedError("stage 7: forward_fn")


# The network needs no randomness when it runs, so apply takes (params, x) only.
model = hk.without_apply_rng(hk.transform(forward_fn))


def loss_fn(params, X, Y):
    """Mean cross-entropy of the logits model.apply(params, X) against labels Y."""
    # TODO: One number: the batch mean of minus the log-probability of the true label, taken
    #       straight from the logits (m, n_out) of model.apply so that large logits stay finite.
    raise NotImplementedError("stage 7: loss_fn")


def update_params(params, grads, alpha):
    """One SGD step p - alpha * g on every leaf of the parameter tree."""
    # TODO: A tree shaped like params, each leaf moved against its gradient leaf by alpha. Walk both
    #       trees together with jax.tree_util rather than spelling out Haiku's module names.
    raise NotImplementedError("stage 7: update_params")


@jax.jit
def train_step(params, X, Y, alpha):
    """(new_params, loss): one full-batch step, and the loss of the params passed in."""
    # TODO: (new params, loss): one SGD step of size alpha on the mean loss over (X, Y). Get loss and
    #       gradient tree together with jax.value_and_grad; report the loss BEFORE the step.
    raise NotImplementedError("stage 7: train_step")


def get_predictions(logits):
    """Most likely class of each row of (m, n_out) logits, shape (m,)."""
    # TODO: (m,) integer class per row of logits (m, n_out): the position of the largest logit.
    raise NotImplementedError("stage 7: get_predictions")


def get_accuracy(predictions, Y):
    """Fraction of correct predictions, a 0-d array in [0, 1]."""
    # TODO: A 0-d array in [0, 1]: the fraction of the m predictions that equal their label.
    raise NotImplementedError("stage 7: get_accuracy")


def gradient_descent(X, Y, alpha, iterations, key):
    """Train from model.init(key, X) with `iterations` full-batch steps of size alpha."""
    # TODO: Create the parameters with model.init from `key` and X, then take exactly `iterations`
    #       full-batch train steps of size alpha; return the trained parameter tree.
    raise NotImplementedError("stage 7: gradient_descent")
