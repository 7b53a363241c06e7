"""Stage 9, another idiom: nnx.Sequential, log_softmax with take_along_axis, jit applied by
assignment, a NumPy-side batch loop with keys folded in per epoch."""
import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx


class MLP(nnx.Module):
    """Linear -> ReLU -> Linear as one nnx.Sequential."""

    def __init__(self, n_in=784, n_hidden=10, n_out=10, *, rngs):
        self.net = nnx.Sequential(
            nnx.Linear(n_in, n_hidden, rngs=rngs),
            jax.nn.relu,
            nnx.Linear(n_hidden, n_out, rngs=rngs),
        )

    def __call__(self, x):
        return self.net(x)


def loss_fn(model, X, Y):
    log_probs = jax.nn.log_softmax(model(X), axis=-1)
    return -jnp.mean(jnp.take_along_axis(log_probs, Y[:, None], axis=1))


def make_optimizer(model, learning_rate):
    return nnx.Optimizer(model, optax.sgd(learning_rate=learning_rate, momentum=None),
                         wrt=nnx.Param)


def _train_step(model, optimizer, X, Y):
    grad_fn = nnx.value_and_grad(loss_fn)
    loss, grads = grad_fn(model, X, Y)
    optimizer.update(model, grads)
    return loss


train_step = nnx.jit(_train_step)
predict = nnx.jit(lambda model, X: model(X).argmax(axis=-1))


def evaluate(model, X, Y):
    return float(np.mean(np.asarray(predict(model, X)) == np.asarray(Y)))


def split_model(model):
    graphdef, state = nnx.split(model)
    return graphdef, state


def pure_forward(graphdef, state, X):
    model = nnx.merge(graphdef, state)
    return model(X)


def fit(X, Y, *, seed, learning_rate=0.1, epochs=500, batch_size=None):
    X, Y = np.asarray(X), np.asarray(Y)
    model = MLP(X.shape[1], rngs=nnx.Rngs(seed))
    optimizer = make_optimizer(model, learning_rate)
    shuffle_key = jax.random.fold_in(jax.random.key(seed), 1234)
    m = len(X)
    for epoch in range(epochs):
        if batch_size is None:
            batches = [np.arange(m)]
        else:
            order = np.asarray(jax.random.permutation(jax.random.fold_in(shuffle_key, epoch), m))
            batches = np.split(order, range(batch_size, m, batch_size))
        for rows in batches:
            train_step(model, optimizer, X[rows], Y[rows])
    return model
