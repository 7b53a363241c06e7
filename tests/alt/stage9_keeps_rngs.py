"""Stage 9, another idiom: the module keeps its nnx.Rngs (as modules with dropout do) and fit
draws its shuffles from it; the output layer's attribute name sorts before the hidden one's;
one-hot cross-entropy from optax.losses; the learning rate injected as a hyperparameter."""
import jax
import jax.numpy as jnp
import optax
from flax import nnx


class MLP(nnx.Module):
    """Linear -> ReLU -> Linear, keeping the rngs it was built with."""

    def __init__(self, n_in=784, n_hidden=10, n_out=10, *, rngs):
        self.hidden = nnx.Linear(n_in, n_hidden, rngs=rngs)
        self.classifier = nnx.Linear(n_hidden, n_out, rngs=rngs)
        self.rngs = rngs

    def __call__(self, x):
        return self.classifier(nnx.relu(self.hidden(x)))


def loss_fn(model, X, Y):
    logits = model(X)
    labels = jax.nn.one_hot(Y, logits.shape[1])
    return optax.losses.softmax_cross_entropy(logits, labels).mean()


def make_optimizer(model, learning_rate):
    tx = optax.inject_hyperparams(optax.sgd)(learning_rate=learning_rate)
    return nnx.Optimizer(model, tx, wrt=nnx.Param)


@nnx.jit
def train_step(model, optimizer, X, Y):
    loss, grads = nnx.value_and_grad(loss_fn, argnums=0)(model, X, Y)
    optimizer.update(model, grads)
    return loss


@nnx.jit
def predict(model, X):
    return model(X).argmax(-1)


def evaluate(model, X, Y):
    return jnp.mean(predict(model, X) == Y)


def split_model(model):
    return nnx.split(model)


def pure_forward(graphdef, state, X):
    return nnx.merge(graphdef, state)(X)


def fit(X, Y, *, seed, learning_rate=0.1, epochs=500, batch_size=None):
    model = MLP(X.shape[1], rngs=nnx.Rngs(seed))
    optimizer = make_optimizer(model, learning_rate)
    m = X.shape[0]
    for _ in range(epochs):
        order = jnp.arange(m) if batch_size is None else jax.random.permutation(model.rngs(), m)
        size = batch_size or m
        for start in range(0, m, size):
            rows = order[start:start + size]
            train_step(model, optimizer, X[rows], Y[rows])
    return model
