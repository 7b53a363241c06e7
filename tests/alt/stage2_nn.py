"""Stage 2 written with jax.nn building blocks, jnp.einsum and lax.fori_loop."""
import jax
import jax.numpy as jnp


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    """W1, b1, W2, b2 uniform on [-0.5, 0.5), one subkey each."""
    shapes = ((n_hidden, n_in), (n_hidden, 1), (n_out, n_hidden), (n_out, 1))
    keys = jax.random.split(key, len(shapes))
    return tuple(jax.random.uniform(k, s, jnp.float32, -0.5, 0.5) for k, s in zip(keys, shapes))


def relu(Z):
    """jax.nn.relu."""
    return jax.nn.relu(Z)


def relu_deriv(Z):
    """1.0 where Z > 0, else 0.0, in float32."""
    return jnp.where(Z > 0, jnp.float32(1), jnp.float32(0))


def softmax(Z):
    """jax.nn.softmax over the class axis 0 (it subtracts the max itself)."""
    return jax.nn.softmax(Z, axis=0)


def forward_prop(W1, b1, W2, b2, X):
    """(Z1, A1, Z2, A2) with einsum products."""
    Z1 = jnp.einsum("hi,im->hm", W1, X) + b1
    A1 = relu(Z1)
    Z2 = jnp.einsum("oh,hm->om", W2, A1) + b2
    return Z1, A1, Z2, softmax(Z2)


def one_hot(Y, num_classes=10):
    """jax.nn.one_hot gives (m, num_classes); transpose to one column per example."""
    return jax.nn.one_hot(Y, num_classes, dtype=jnp.float32).T


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    """Gradients of the mean cross-entropy over the X.shape[1] examples."""
    dZ2 = (A2 - one_hot(Y, A2.shape[0])) / X.shape[1]
    dZ1 = jnp.einsum("oh,om->hm", W2, dZ2) * relu_deriv(Z1)
    dW1 = jnp.einsum("hm,im->hi", dZ1, X)
    dW2 = jnp.einsum("om,hm->oh", dZ2, A1)
    return dW1, jnp.sum(dZ1, axis=1, keepdims=True), dW2, jnp.sum(dZ2, axis=1, keepdims=True)


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    """p - alpha * dp, mapped over the parameter tuple."""
    return tuple(jax.tree_util.tree_map(lambda p, g: p - alpha * g,
                                        (W1, b1, W2, b2), (dW1, db1, dW2, db2)))


def get_predictions(A2):
    """Most probable class per column."""
    return A2.argmax(axis=0)


def get_accuracy(predictions, Y):
    """Fraction of correct predictions, a 0-d float32 array."""
    return jnp.mean((predictions == Y).astype(jnp.float32))


def gradient_descent(X, Y, alpha, iterations, key):
    """`iterations` full-batch steps from init_params(key, X.shape[0]), in a lax.fori_loop."""
    def step(_, params):
        W1, b1, W2, b2 = params
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        return update_params(*params, *backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y), alpha)
    return jax.lax.fori_loop(0, iterations, step, init_params(key, X.shape[0]))
