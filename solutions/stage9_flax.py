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
        ### BEGIN SOLUTION
        # TODO: Create the two Flax linear layers here, sized n_in -> n_hidden -> n_out, and keep
        #       them on self; each draws its weights from `rngs` (Flax's default initialisers).
        self.hidden = nnx.Linear(n_in, n_hidden, rngs=rngs)
        self.output = nnx.Linear(n_hidden, n_out, rngs=rngs)
        ### END SOLUTION

    def __call__(self, x):
        """Logits (m, n_out) for a batch x of shape (m, n_in)."""
        ### BEGIN SOLUTION
        # TODO: Logits (m, n_out) for x (m, n_in): the hidden layer, a ReLU (it keeps the two linear
        #       maps from collapsing into one), then the output layer. No softmax.
        return self.output(jax.nn.relu(self.hidden(x)))  # (m, n_in) -> (m, n_hidden) -> (m, n_out)
        ### END SOLUTION


def loss_fn(model, X, Y):
    """Mean cross-entropy of the logits model(X) against labels Y."""
    ### BEGIN SOLUTION
    # TODO: One number: the batch mean of the cross-entropy of model(X)'s logits (m, n_out)
    #       against the integer labels Y (m,), computed stably from the logits.
    logits = model(X)  # (m, n_out)
    return optax.softmax_cross_entropy_with_integer_labels(logits, Y).mean()
    ### END SOLUTION


def make_optimizer(model, learning_rate):
    """An nnx.Optimizer doing plain SGD on the model's parameters (the nnx.Param variables)."""
    ### BEGIN SOLUTION
    # TODO: An nnx.Optimizer for this model that wraps plain SGD at this learning rate and tracks
    #       the model's nnx.Param variables (Flax 0.12 asks for them by name: wrt=).
    return nnx.Optimizer(model, optax.sgd(learning_rate), wrt=nnx.Param)
    ### END SOLUTION


@nnx.jit  # SOLUTION-ONLY
def train_step(model, optimizer, X, Y):
    """One optimizer step on the batch (X, Y), in place; returns the loss before the step."""
    ### BEGIN SOLUTION
    # TODO: Decorate with @nnx.jit. Take the loss and the gradients of loss_fn with respect to the
    #       model, let the optimizer update the model in place, and return that loss.
    loss, grads = nnx.value_and_grad(loss_fn)(model, X, Y)
    optimizer.update(model, grads)  # new params into the model, new state into the optimizer
    return loss
    ### END SOLUTION


@nnx.jit  # SOLUTION-ONLY
def predict(model, X):
    """Predicted class of each row of X, shape (m,)."""
    ### BEGIN SOLUTION
    # TODO: Decorate with @nnx.jit. (m,) integer class for each row of X (m, n_in): the position
    #       of the model's largest logit.
    return jnp.argmax(model(X), axis=1)
    ### END SOLUTION


def evaluate(model, X, Y):
    """Accuracy of predict(model, X) against Y, in [0, 1]."""
    ### BEGIN SOLUTION
    # TODO: Accuracy in [0, 1]: the fraction of rows of X whose predicted class equals their label.
    return jnp.mean(predict(model, X) == Y)
    ### END SOLUTION


def split_model(model):
    """(graphdef, state): the model's structure and its arrays, as nnx.split gives them."""
    ### BEGIN SOLUTION
    # TODO: Split the model into its static structure (a graphdef) and its state, the pytree of
    #       its arrays: Flax has one function for exactly this.
    return nnx.split(model)
    ### END SOLUTION


def pure_forward(graphdef, state, X):
    """Logits (m, n_out) of the network given by (graphdef, state): a pure function of arrays."""
    ### BEGIN SOLUTION
    # TODO: Rebuild a module from graphdef and state, and return its logits for X. Everything it
    #       uses must come from its arguments, so that jax.jit, jax.vmap and jax.grad apply.
    return nnx.merge(graphdef, state)(X)
    ### END SOLUTION


def batch_indices(key, m, batch_size):
    """Row indices of one epoch's batches: a fresh permutation cut into consecutive pieces."""
    ### BEGIN SOLUTION
    # TODO: A list of index arrays: 0..m-1 in a random order drawn from key, cut into consecutive
    #       pieces of batch_size, so every row appears once; keep the last, shorter piece.
    order = jax.random.permutation(key, m)
    return [order[start:start + batch_size] for start in range(0, m, batch_size)]
    ### END SOLUTION


def fit(X, Y, *, seed, learning_rate=0.1, epochs=500, batch_size=None):
    """Train MLP(X.shape[1], rngs=nnx.Rngs(seed)) for `epochs` passes over (X, Y); returns it.

    Every step goes through train_step, with one optimizer from make_optimizer.
    """
    ### BEGIN SOLUTION
    # TODO: Build the model and its SGD optimizer once, then call train_step: one full-batch step
    #       per epoch, or shuffled batches with a fresh order each epoch, drawn from the seed.
    rngs = nnx.Rngs(seed)
    model = MLP(X.shape[1], rngs=rngs)  # the layers draw first: as MLP(n_in, rngs=nnx.Rngs(seed))
    optimizer = make_optimizer(model, learning_rate)
    for _epoch in range(epochs):
        if batch_size is None:
            train_step(model, optimizer, X, Y)
            continue
        for rows in batch_indices(rngs(), X.shape[0], batch_size):  # rngs(): a new key each epoch
            train_step(model, optimizer, X[rows], Y[rows])
    return model
    ### END SOLUTION
