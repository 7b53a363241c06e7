"""Stage 9, another idiom: layers in an nnx.List, a logsumexp loss, and a train step that
differentiates a pure function of the split parameters with jax.value_and_grad before letting
the optimizer update the model; shuffle keys split from the seed all at once."""
import jax
import jax.numpy as jnp
import optax
from flax import nnx


class MLP(nnx.Module):
    """Linear -> ReLU -> Linear, the layers kept in an nnx.List."""

    def __init__(self, n_in=784, n_hidden=10, n_out=10, *, rngs):
        self.layers = nnx.List([nnx.Linear(n_in, n_hidden, rngs=rngs),
                                nnx.Linear(n_hidden, n_out, rngs=rngs)])

    def __call__(self, x):
        first, second = self.layers
        return second(jax.nn.relu(first(x)))


def loss_fn(model, X, Y):
    logits = model(X)
    picked = logits[jnp.arange(X.shape[0]), Y]
    return jnp.mean(jax.nn.logsumexp(logits, axis=1) - picked)


def make_optimizer(model, learning_rate):
    return nnx.Optimizer(model, optax.sgd(learning_rate), wrt=nnx.Param)


@nnx.jit
def train_step(model, optimizer, X, Y):
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)

    def loss_of(params):
        return loss_fn(nnx.merge(graphdef, params, rest), X, Y)

    loss, grads = jax.value_and_grad(loss_of)(params)
    optimizer.update(model, grads)
    return loss


@nnx.jit
def predict(model, X):
    return jnp.argmax(model(X), axis=-1).astype(jnp.int32)


def evaluate(model, X, Y):
    return jnp.mean((predict(model, X) == Y).astype(jnp.float32))


def split_model(model):
    return nnx.split(model)


def pure_forward(graphdef, state, X):
    return nnx.merge(graphdef, state)(X)


def fit(X, Y, *, seed, learning_rate=0.1, epochs=500, batch_size=None):
    model = MLP(X.shape[1], rngs=nnx.Rngs(seed))
    optimizer = make_optimizer(model, learning_rate)
    keys = jax.random.split(jax.random.key(seed + 10_000), epochs)
    m = X.shape[0]
    for epoch in range(epochs):
        if batch_size is None:
            train_step(model, optimizer, X, Y)
            continue
        order = jax.random.permutation(keys[epoch], m)
        for start in range(0, m, batch_size):
            rows = order[start:start + batch_size]
            train_step(model, optimizer, X[rows], Y[rows])
    return model
