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
        ### BEGIN SOLUTION
        # TODO: Set up the hk.Module base class first (it needs the name), then remember n_hidden and
        #       n_out on self: Haiku creates the layers and their parameters later, in __call__.
        super().__init__(name=name)
        self.n_hidden = n_hidden
        self.n_out = n_out
        ### END SOLUTION

    def __call__(self, x):
        """Logits (m, n_out) for a batch x of shape (m, n_in)."""
        ### BEGIN SOLUTION
        # TODO: Logits (m, n_out) for x (m, n_in), through a hidden layer (m, self.n_hidden) of Haiku
        #       layers; the ReLU between them keeps two linear maps from collapsing. No softmax.
        hidden = jax.nn.relu(hk.Linear(self.n_hidden)(x))  # (m, n_in) -> (m, n_hidden)
        return hk.Linear(self.n_out)(hidden)  # (m, n_hidden) -> (m, n_out)
        ### END SOLUTION


def forward_fn(x):
    """Logits of the default 784 -> 10 -> 10 network; only ever called inside hk.transform."""
    ### BEGIN SOLUTION
    # TODO: The default network's logits for x: create the module here, inside the function that
    #       hk.transform wraps (Haiku modules only live there), and call it on x.
    return MLP()(x)
    ### END SOLUTION


# The network needs no randomness when it runs, so apply takes (params, x) only.
model = hk.without_apply_rng(hk.transform(forward_fn))


def loss_fn(params, X, Y):
    """Mean cross-entropy of the logits model.apply(params, X) against labels Y."""
    ### BEGIN SOLUTION
    # TODO: One number: the batch mean of minus the log-probability of the true label, taken
    #       straight from the logits (m, n_out) of model.apply so that large logits stay finite.
    log_probs = jax.nn.log_softmax(model.apply(params, X))  # (m, n_out)
    return -jnp.mean(jnp.take_along_axis(log_probs, Y[:, None], axis=1))
    ### END SOLUTION


def update_params(params, grads, alpha):
    """One SGD step p - alpha * g on every leaf of the parameter tree."""
    ### BEGIN SOLUTION
    # TODO: A tree shaped like params, each leaf moved against its gradient leaf by alpha. Walk both
    #       trees together with jax.tree_util rather than spelling out Haiku's module names.
    return jax.tree_util.tree_map(lambda p, g: p - alpha * g, params, grads)
    ### END SOLUTION


@jax.jit
def train_step(params, X, Y, alpha):
    """(new_params, loss): one full-batch step, and the loss of the params passed in."""
    ### BEGIN SOLUTION
    # TODO: (new params, loss): one SGD step of size alpha on the mean loss over (X, Y). Get loss and
    #       gradient tree together with jax.value_and_grad; report the loss BEFORE the step.
    loss, grads = jax.value_and_grad(loss_fn)(params, X, Y)
    return update_params(params, grads, alpha), loss
    ### END SOLUTION


def get_predictions(logits):
    """Most likely class of each row of (m, n_out) logits, shape (m,)."""
    ### BEGIN SOLUTION
    # TODO: (m,) integer class per row of logits (m, n_out): the position of the largest logit.
    return jnp.argmax(logits, axis=1)
    ### END SOLUTION


def get_accuracy(predictions, Y):
    """Fraction of correct predictions, a 0-d array in [0, 1]."""
    ### BEGIN SOLUTION
    # TODO: A 0-d array in [0, 1]: the fraction of the m predictions that equal their label.
    return jnp.mean(predictions == Y)
    ### END SOLUTION


def gradient_descent(X, Y, alpha, iterations, key):
    """Train from model.init(key, X) with `iterations` full-batch steps of size alpha."""
    ### BEGIN SOLUTION
    # TODO: Create the parameters with model.init from `key` and X, then take exactly `iterations`
    #       full-batch train steps of size alpha; return the trained parameter tree.
    params = model.init(key, X)
    for _ in range(iterations):
        params, _loss = train_step(params, X, Y, alpha)
    return params
    ### END SOLUTION
