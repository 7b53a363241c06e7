"""Stage 8, another idiom: named hk.Linear layers, a NumPy-side batch loop, keys split per epoch."""
import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import optax


class MLP(hk.Module):
    """Linear -> ReLU -> Linear, with named layers."""

    def __init__(self, n_hidden=10, n_out=10, name=None):
        super().__init__(name=name)
        self.n_hidden, self.n_out = n_hidden, n_out

    def __call__(self, x):
        x = hk.Linear(self.n_hidden, name="hidden")(x)
        return hk.Linear(self.n_out, name="output")(jax.nn.relu(x))


def forward_fn(x):
    return MLP(name="net")(x)


model = hk.without_apply_rng(hk.transform(forward_fn))


def loss_fn(params, X, Y):
    logits = model.apply(params, X)
    return jnp.mean(jax.nn.logsumexp(logits, axis=1) - jnp.take_along_axis(logits, Y[:, None], 1)[:, 0])


def make_optimizer(learning_rate):
    return optax.sgd(learning_rate=learning_rate, momentum=None)


def make_train_step(optimizer):
    def train_step(params, opt_state, X, Y):
        loss, grads = jax.value_and_grad(loss_fn)(params, X, Y)
        updates, new_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), new_state, loss

    return jax.jit(train_step, donate_argnums=())


predict = jax.jit(lambda params, X: jnp.argmax(model.apply(params, X), axis=1))


def evaluate(params, X, Y):
    return jnp.mean(predict(params, X) == jnp.asarray(Y))


def fit(X, Y, *, key, learning_rate=0.1, epochs=500, batch_size=None):
    X, Y = np.asarray(X), np.asarray(Y)
    keys = jax.random.split(key, epochs + 1)
    params = model.init(keys[0], X[:1])
    optimizer = make_optimizer(learning_rate)
    opt_state = optimizer.init(params)
    step = make_train_step(optimizer)
    m = len(X)
    for epoch_key in keys[1:]:
        if batch_size is None:
            batches = [np.arange(m)]
        else:
            order = np.asarray(jax.random.permutation(epoch_key, m))
            batches = np.split(order, range(batch_size, m, batch_size))
        for rows in batches:
            params, opt_state, _ = step(params, opt_state, X[rows], Y[rows])
    return params
