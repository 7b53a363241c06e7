"""Stage 8, another idiom: fit compiles whole epochs with jax.lax.scan.

The train step from make_train_step is called inside a jitted, scanned epoch
(full batches scanned, the shorter last batch stepped after them); the model
uses hk.nets.MLP and the loss jax.nn.log_softmax with one-hot labels.
"""
import functools

import haiku as hk
import jax
import jax.numpy as jnp
import optax


class MLP(hk.Module):
    """Linear -> ReLU -> Linear through hk.nets.MLP (no activation after the last layer)."""

    def __init__(self, n_hidden=10, n_out=10, name=None):
        super().__init__(name=name)
        self.sizes = [n_hidden, n_out]

    def __call__(self, x):
        return hk.nets.MLP(self.sizes, activation=jax.nn.relu)(x)


def forward_fn(x):
    return MLP()(x)


model = hk.without_apply_rng(hk.transform(forward_fn))


def loss_fn(params, X, Y):
    logits = model.apply(params, X)
    targets = jax.nn.one_hot(Y, logits.shape[-1])
    return -jnp.mean(jnp.sum(targets * jax.nn.log_softmax(logits), axis=-1))


def make_optimizer(learning_rate):
    return optax.chain(optax.scale(-learning_rate))


def make_train_step(optimizer):
    def train_step(params, opt_state, X, Y):
        loss, grads = jax.value_and_grad(loss_fn)(params, X, Y)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    return jax.jit(train_step)


@functools.partial(jax.jit)
def predict(params, X):
    return model.apply(params, X).argmax(axis=-1)


def evaluate(params, X, Y):
    return float((predict(params, X) == Y).mean())


def fit(X, Y, *, key, learning_rate=0.1, epochs=500, batch_size=None):
    X, Y = jnp.asarray(X), jnp.asarray(Y)
    init_key, shuffle_key = jax.random.split(key)
    params = model.init(init_key, X)
    optimizer = make_optimizer(learning_rate)
    train_step = make_train_step(optimizer)
    m = X.shape[0]
    size = m if batch_size is None else batch_size
    n_full, rest = divmod(m, size)

    def epoch(carry, epoch_key):
        order = jnp.arange(m) if batch_size is None else jax.random.permutation(epoch_key, m)

        def body(carry, rows):
            params, opt_state, _loss = train_step(*carry, X[rows], Y[rows])
            return (params, opt_state), None

        carry, _ = jax.lax.scan(body, carry, order[:n_full * size].reshape(n_full, size))
        if rest:
            rows = order[n_full * size:]
            params, opt_state, _loss = train_step(*carry, X[rows], Y[rows])
            carry = (params, opt_state)
        return carry, None

    carry = (params, optimizer.init(params))
    run = jax.jit(lambda carry, keys: jax.lax.scan(epoch, carry, keys)[0])
    return run(carry, jax.random.split(shuffle_key, epochs))[0]
