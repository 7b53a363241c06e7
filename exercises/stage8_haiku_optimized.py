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
        # TODO: as in stage 7: super().__init__(name=name), then keep n_hidden and n_out.
        raise NotImplementedError("stage 8: MLP.__init__")

    def __call__(self, x):
        """Logits (m, n_out) for a batch x of shape (m, n_in)."""
        # TODO: as in stage 7: hk.Linear, jax.nn.relu, hk.Linear.
        raise NotImplementedError("stage 8: MLP.__call__")


def forward_fn(x):
    """Logits of the default 784 -> 10 -> 10 network; only ever called inside hk.transform."""
    # TODO: build an MLP() and call it on x.
    raise NotImplementedError("stage 8: forward_fn")


# The network needs no randomness when it runs, so apply takes (params, x) only.
model = hk.without_apply_rng(hk.transform(forward_fn))


def loss_fn(params, X, Y):
    """Mean cross-entropy of the logits model.apply(params, X) against labels Y."""
    # TODO: optax.softmax_cross_entropy_with_integer_labels of the logits, averaged over the batch.
    raise NotImplementedError("stage 8: loss_fn")


def make_optimizer(learning_rate):
    """Plain SGD: every update is -learning_rate * grad."""
    # TODO: return optax.sgd(learning_rate).
    raise NotImplementedError("stage 8: make_optimizer")


def make_train_step(optimizer):
    """A jitted train_step(params, opt_state, X, Y) -> (params, opt_state, loss) for `optimizer`."""
    # TODO: inside a @jax.jit function: value_and_grad, optimizer.update, optax.apply_updates.
    raise NotImplementedError("stage 8: make_train_step")


@jax.jit
def predict(params, X):
    """Predicted class of each row of X, shape (m,)."""
    # TODO: the argmax over axis 1 of model.apply(params, X).
    raise NotImplementedError("stage 8: predict")


def evaluate(params, X, Y):
    """Accuracy of predict(params, X) against Y, in [0, 1]."""
    # TODO: the mean of predict(params, X) == Y.
    raise NotImplementedError("stage 8: evaluate")


def batch_indices(key, m, batch_size):
    """Row indices of one epoch's batches: a fresh permutation cut into consecutive pieces."""
    # TODO: jax.random.permutation(key, m), then slices of batch_size (the last one may be shorter).
    raise NotImplementedError("stage 8: batch_indices")


def fit(X, Y, *, key, learning_rate=0.1, epochs=500, batch_size=None):
    """Train from model.init for `epochs` passes over (X, Y); returns the params.

    Every step goes through make_train_step(make_optimizer(learning_rate)).
    """
    # TODO: init params and optimizer state, then per epoch one full-batch step or a step per batch.
    raise NotImplementedError("stage 8: fit")
