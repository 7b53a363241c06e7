"""Stage 4, another idiom: plain functions jitted by assignment, jax.nn helpers,
static_argnums instead of static_argnames, parameters carried as one tuple."""
import jax
import jax.numpy as jnp


def _init_params(key, n_in=784, n_hidden=10, n_out=10):
    """Four uniform draws on [-0.5, 0.5), the biases as columns."""
    keys = jax.random.split(key, 4)
    shapes = ((n_hidden, n_in), (n_hidden, 1), (n_out, n_hidden), (n_out, 1))
    return tuple(jax.random.uniform(k, s, jnp.float32, -0.5, 0.5) for k, s in zip(keys, shapes))


def _relu(Z):
    return jnp.where(Z > 0, Z, 0.0)


def _relu_deriv(Z):
    return jnp.where(Z > 0, 1.0, 0.0).astype(jnp.float32)


def _softmax(Z):
    return jax.nn.softmax(Z, axis=0)  # subtracts the max itself


def _forward_prop(W1, b1, W2, b2, X):
    Z1 = jnp.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = jnp.dot(W2, A1) + b2
    return Z1, A1, Z2, softmax(Z2)


def _one_hot(Y, num_classes=10):
    return jax.nn.one_hot(Y, num_classes, dtype=jnp.float32).T


def _backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    dZ2 = (A2 - one_hot(Y, A2.shape[0])) / X.shape[1]
    dZ1 = jnp.dot(W2.T, dZ2) * relu_deriv(Z1)
    return (jnp.dot(dZ1, X.T), jnp.sum(dZ1, axis=1, keepdims=True),
            jnp.dot(dZ2, A1.T), jnp.sum(dZ2, axis=1, keepdims=True))


def _update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    params, grads = (W1, b1, W2, b2), (dW1, db1, dW2, db2)
    return tuple(p - alpha * g for p, g in zip(params, grads))


def _train_step(W1, b1, W2, b2, X, Y, alpha):
    activations = forward_prop(W1, b1, W2, b2, X)
    return update_params(W1, b1, W2, b2, *backward_prop(*activations, W1, W2, X, Y), alpha)


def _get_predictions(A2):
    return A2.argmax(axis=0)


def _get_accuracy(predictions, Y):
    return (predictions == Y).mean()


init_params = jax.jit(_init_params, static_argnums=(1, 2, 3))
relu = jax.jit(_relu)
relu_deriv = jax.jit(_relu_deriv)
softmax = jax.jit(_softmax)
forward_prop = jax.jit(_forward_prop)
one_hot = jax.jit(_one_hot, static_argnums=1)
backward_prop = jax.jit(_backward_prop)
update_params = jax.jit(_update_params)
train_step = jax.jit(_train_step)
get_predictions = jax.jit(_get_predictions)
get_accuracy = jax.jit(_get_accuracy)


def gradient_descent(X, Y, alpha, iterations, key):
    params = init_params(key, X.shape[0])
    for _ in range(iterations):
        params = train_step(*params, X, Y, alpha)
    return params
