"""Stage 9, another idiom: the parameters as nnx.Param attributes of MLP itself, drawn with
Flax's initialisers by hand; one-hot cross-entropy; gradients and loss taken apart; predict
under jax.jit (it changes nothing); shuffles from a NumPy Generator seeded by seed."""
import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx


class MLP(nnx.Module):
    """Linear -> ReLU -> Linear, written with nnx.Param."""

    def __init__(self, n_in=784, n_hidden=10, n_out=10, *, rngs):
        kernel = nnx.initializers.lecun_normal()
        self.w1 = nnx.Param(kernel(rngs.params(), (n_in, n_hidden)))
        self.b1 = nnx.Param(jnp.zeros((n_hidden,)))
        self.w2 = nnx.Param(kernel(rngs.params(), (n_hidden, n_out)))
        self.b2 = nnx.Param(jnp.zeros((n_out,)))

    def __call__(self, x):
        hidden = jnp.maximum(x @ self.w1[...] + self.b1[...], 0.0)
        return hidden @ self.w2[...] + self.b2[...]


def loss_fn(model, X, Y):
    logits = model(X)
    targets = jax.nn.one_hot(Y, logits.shape[-1])
    return -jnp.sum(targets * jax.nn.log_softmax(logits)) / X.shape[0]


def make_optimizer(model, learning_rate):
    return nnx.Optimizer(model, optax.chain(optax.scale(-learning_rate)), wrt=nnx.Param)


@nnx.jit
def train_step(model, optimizer, X, Y):
    loss = loss_fn(model, X, Y)
    grads = nnx.grad(loss_fn)(model, X, Y)
    optimizer.update(model, grads)
    return loss


@jax.jit
def predict(model, X):
    return jnp.argmax(model(X), axis=1)


def evaluate(model, X, Y):
    return (predict(model, X) == Y).mean()


def split_model(model):
    return nnx.split(model)


def pure_forward(graphdef, state, X):
    return nnx.merge(graphdef, state, copy=True)(X)


def fit(X, Y, *, seed, learning_rate=0.1, epochs=500, batch_size=None):
    model = MLP(X.shape[1], rngs=nnx.Rngs(seed))
    optimizer = make_optimizer(model, learning_rate)
    rng = np.random.default_rng(seed)
    m = X.shape[0]
    for _ in range(epochs):
        if batch_size is None:
            train_step(model, optimizer, X, Y)
            continue
        order = rng.permutation(m)
        for start in range(0, m, batch_size):
            rows = order[start:start + batch_size]
            train_step(model, optimizer, X[rows], Y[rows])
    return model
