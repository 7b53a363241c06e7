"""Stage 9: the network in Flax NNX.

An NNX module is an ordinary Python object that holds its own parameters:
`MLP(n_in, n_hidden, n_out, rngs=nnx.Rngs(seed))` draws them at once, and
`model(X)` runs the network. Training changes the model and the optimizer in
place. Under `nnx.jit` that stays true: nnx.jit hands the compiled program the
arrays inside the objects and writes the new values back into them afterwards
(jax.jit knows nothing of objects, so updates made inside it are lost).
`nnx.split(model)` turns the object into a static `graphdef` and a `state` of
arrays, and `nnx.merge(graphdef, state)` turns them back: the bridge to plain
JAX functions. Rows are examples: X has shape (m, n_in).

Adding `@nnx.jit` above train_step and predict is part of this stage's work.
"""
import jax
import jax.numpy as jnp
import optax
from flax import nnx


class MLP(nnx.Module):
    """Linear -> ReLU -> Linear, returning logits (no softmax)."""

    def __init__(self, n_in=784, n_hidden=10, n_out=10, *, rngs):
        """Create both layers now, their weights drawn from `rngs`: the module holds them."""
        # TODO: Create the two Flax linear layers here, sized n_in -> n_hidden -> n_out, and keep
        #       them on self; each draws its weights from `rngs` (Flax's default initialisers).
        raise NotImplementedError("stage 9: MLP.__init__")

    def __call__(self, x):
        """Logits (m, n_out) for a batch x of shape (m, n_in)."""
        # TODO: Logits (m, n_out) for x (m, n_in): the hidden layer, a ReLU (it keeps the two linear
        #       maps from collapsing into one), then the output layer. No softmax.
        raise NotImplementedError("stage 9: MLP.__call__")


def loss_fn(model, X, Y):
    """Mean cross-entropy of the logits model(X) against labels Y."""
    # TODO: One number: the batch mean of the cross-entropy of model(X)'s logits (m, n_out)
    #       against the integer labels Y (m,), computed stably from the logits.
    raise NotImplementedError("stage 9: loss_fn")


def make_optimizer(model, learning_rate):
    """An nnx.Optimizer doing plain SGD on the model's parameters (the nnx.Param variables)."""
    # TODO: An nnx.Optimizer for this model that wraps plain SGD at this learning rate and tracks
    #       the model's nnx.Param variables (Flax 0.12 asks for them by name: wrt=).
    raise NotImplementedError("stage 9: make_optimizer")


def train_step(model, optimizer, X, Y):
    """One optimizer step on the batch (X, Y), in place; returns the loss before the step."""
    # TODO: Decorate with @nnx.jit. Take the loss and the gradients of loss_fn with respect to the
    #       model, let the optimizer update the model in place, and return that loss.
    raise NotImplementedError("stage 9: train_step")


def predict(model, X):
    """Predicted class of each row of X, shape (m,)."""
    # TODO: Decorate with @nnx.jit. (m,) integer class for each row of X (m, n_in): the position
    #       of the model's largest logit.
    raise NotImplementedError("stage 9: predict")


def evaluate(model, X, Y):
    """Accuracy of predict(model, X) against Y, in [0, 1]."""
    # TODO: Accuracy in [0, 1]: the fraction of rows of X whose predicted class equals their label.
    raise NotImplementedError("stage 9: evaluate")


def split_model(model):
    """(graphdef, state): the model's structure and its arrays, as nnx.split gives them."""
    # TODO: Split the model into its static structure (a graphdef) and its state, the pytree of
    #       its arrays: Flax has one function for exactly this.
    raise NotImplementedError("stage 9: split_model")


def pure_forward(graphdef, state, X):
    """Logits (m, n_out) of the network given by (graphdef, state): a pure function of arrays."""
    # TODO: Rebuild a module from graphdef and state, and return its logits for X. Everything it
    #       uses must come from its arguments, so that jax.jit, jax.vmap and jax.grad apply.
    raise NotImplementedError("stage 9: pure_forward")


def batch_indices(key, m, batch_size):
    """Row indices of one epoch's batches: a fresh permutation cut into consecutive pieces."""
    # TODO: A list of index arrays: 0..m-1 in a random order drawn from key, cut into consecutive
    #       pieces of batch_size, so every row appears once; keep the last, shorter piece.
    raise NotImplementedError("stage 9: batch_indices")


def fit(X, Y, *, seed, learning_rate=0.1, epochs=500, batch_size=None):
    """Train MLP(X.shape[1], rngs=nnx.Rngs(seed)) for `epochs` passes over (X, Y); returns it.

    Every step goes through train_step, with one optimizer from make_optimizer.
    """
    # TODO: Build the model and its SGD optimizer once, then call train_step: one full-batch step
    #       per epoch, or shuffled batches with a fresh order each epoch, drawn from the seed.
    raise NotImplementedError("stage 9: fit")
