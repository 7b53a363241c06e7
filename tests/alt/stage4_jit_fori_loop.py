"""Stage 4, another idiom: train_step written in one piece, and the whole training
loop compiled too, with jax.lax.fori_loop (the iteration count is static)."""
from functools import partial

import jax
import jax.numpy as jnp


@partial(jax.jit, static_argnums=(1, 2, 3))
def init_params(key, n_in=784, n_hidden=10, n_out=10):
    kW1, kW2, kb1, kb2 = jax.random.split(key, 4)
    draw = partial(jax.random.uniform, minval=-0.5, maxval=0.5)
    return draw(kW1, (n_hidden, n_in)), draw(kb1, (n_hidden, 1)), \
        draw(kW2, (n_out, n_hidden)), draw(kb2, (n_out, 1))


@jax.jit
def relu(Z):
    return jax.nn.relu(Z)


@jax.jit
def relu_deriv(Z):
    return jnp.heaviside(Z, 0.0).astype(jnp.float32)


@jax.jit
def softmax(Z):
    return jnp.exp(Z - jax.nn.logsumexp(Z, axis=0, keepdims=True))


@jax.jit
def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1 @ X + b1
    Z2 = W2 @ jax.nn.relu(Z1) + b2
    return Z1, jax.nn.relu(Z1), Z2, softmax(Z2)


@partial(jax.jit, static_argnames="num_classes")
def one_hot(Y, num_classes=10):
    return jnp.eye(num_classes, dtype=jnp.float32)[:, Y]


@jax.jit
def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    dZ2 = (A2 - one_hot(Y, A2.shape[0])) / X.shape[1]
    dZ1 = (W2.T @ dZ2) * (Z1 > 0)
    return dZ1 @ X.T, dZ1.sum(1, keepdims=True), dZ2 @ A1.T, dZ2.sum(1, keepdims=True)


@jax.jit
def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    return jax.tree_util.tree_map(lambda p, g: p - alpha * g, (W1, b1, W2, b2),
                                  (dW1, db1, dW2, db2))


@jax.jit
def train_step(W1, b1, W2, b2, X, Y, alpha):
    # forward, backward and update written out in one piece
    Z1 = W1 @ X + b1
    A1 = jnp.maximum(Z1, 0)
    Z2 = W2 @ A1 + b2
    dZ2 = (jax.nn.softmax(Z2, axis=0) - jax.nn.one_hot(Y, Z2.shape[0]).T) / X.shape[1]
    dZ1 = (W2.T @ dZ2) * (Z1 > 0)
    return (W1 - alpha * (dZ1 @ X.T), b1 - alpha * dZ1.sum(1, keepdims=True),
            W2 - alpha * (dZ2 @ A1.T), b2 - alpha * dZ2.sum(1, keepdims=True))


@jax.jit
def get_predictions(A2):
    return jnp.argmax(A2, 0)


@jax.jit
def get_accuracy(predictions, Y):
    return jnp.mean((predictions == Y).astype(jnp.float32))


@partial(jax.jit, static_argnames="iterations")
def _train(params, X, Y, alpha, iterations):
    return jax.lax.fori_loop(0, iterations, lambda _, p: train_step(*p, X, Y, alpha), params)


def gradient_descent(X, Y, alpha, iterations, key):
    return _train(init_params(key, X.shape[0]), X, Y, alpha, iterations)
