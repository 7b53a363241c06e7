"""Stage 8: Haiku + Optax, every step compiled.

The model is stage 7's; Optax replaces the hand-written update. An optimizer
is a pair of pure functions: `optimizer.init(params)` builds its state, and
`optimizer.update(grads, opt_state, params)` turns gradients into updates and
a new state, which `optax.apply_updates` adds to the parameters. `fit` trains
in epochs, on the full batch or on minibatches reshuffled every epoch.
"""
import haiku as hk
import jax
import jax.numpy as jnp
import optax


class MLP(hk.Module):
    """Linear -> ReLU -> Linear, returning logits (no softmax)."""

    def __init__(self, n_hidden=10, n_out=10, name=None):
        """Remember the layer sizes; Haiku creates the parameters on the first call."""
        # TODO: Set up the hk.Module base class first (it needs the name), then remember n_hidden and
        #       n_out on self: Haiku creates the layers and their parameters later, in __call__.
        raise NotImplementedError("stage 8: MLP.__init__")

    def __call__(self, x):
        """Logits (m, n_out) for a batch x of shape (m, n_in)."""
        # TODO: Logits (m, n_out) for x (m, n_in), through a hidden layer (m, self.n_hidden) of Haiku
        #       layers; the ReLU between them keeps two linear maps from collapsing. No softmax.
        raise NotImplementedError("stage 8: MLP.__call__")


def forward_fn(x):
    """Logits of the default 784 -> 10 -> 10 network; only ever called inside hk.transform."""
    # TODO: The default network's logits for x: create the module here, inside the function that
    #       hk.transform wraps (Haiku modules only live there), and call it on x.
    raise NotImplementedError("stage 8: forward_fn")


# The network needs no randomness when it runs, so apply takes (params, x) only.
model = hk.without_apply_rng(hk.transform(forward_fn))


def loss_fn(params, X, Y):
    """Mean cross-entropy of the logits model.apply(params, X) against labels Y."""
    # TODO: One number: the batch mean of the cross-entropy of model.apply's logits (m, n_out)
    #       against the integer labels Y (m,); Optax has a stable per-example version of this loss.
    raise NotImplementedError("stage 8: loss_fn")


def make_optimizer(learning_rate):
    """Plain SGD: every update is -learning_rate * grad."""
    # TODO: An Optax optimizer for plain SGD at this learning rate: no momentum, no adaptive
    #       scaling, so every update is the gradient scaled by minus the rate.
    raise NotImplementedError("stage 8: make_optimizer")


def make_train_step(optimizer):
    """A jitted train_step(params, opt_state, X, Y) -> (params, opt_state, loss) for `optimizer`."""
    # TODO: Return a step (params, opt_state, X, Y) -> (params, opt_state, loss), jitted once here.
    #       The optimizer turns gradients into updates and a new state; loss is the one before.
    raise NotImplementedError("stage 8: make_train_step")


@jax.jit
def predict(params, X):
    """Predicted class of each row of X, shape (m,)."""
    # TODO: (m,) integer class for each row of X (m, n_in): the position of the model's largest logit.
    raise NotImplementedError("stage 8: predict")


def evaluate(params, X, Y):
    """Accuracy of predict(params, X) against Y, in [0, 1]."""
    # TODO: Accuracy in [0, 1]: the fraction of rows of X whose predicted class equals their label.
    raise NotImplementedError("stage 8: evaluate")


def batch_indices(key, m, batch_size):
    """Row indices of one epoch's batches: a fresh permutation cut into consecutive pieces."""
    # TODO: A list of index arrays: 0..m-1 in a random order drawn from key, cut into consecutive
    #       pieces of batch_size, so every row appears once; keep the last, shorter piece.
    raise NotImplementedError("stage 8: batch_indices")


def fit(X, Y, *, key, learning_rate=0.1, epochs=500, batch_size=None):
    """Train from model.init for `epochs` passes over (X, Y); returns the params.

    Every step goes through make_train_step(make_optimizer(learning_rate)).
    """
    # TODO: Train from model.init, taking every step with what make_train_step builds for the
    #       make_optimizer SGD, opt_state carried: one full-batch step per epoch, or shuffled batches.
    raise NotImplementedError("stage 8: fit")
