"""The JAX documentation's MLP, moved into stage 5's functions.

Its prediction ends with `logits - logsumexp(logits)`: log-probabilities, which
differ from the logits by one constant per example. Its loss then averages
`preds * targets` over classes as well as examples. forward is met first.
"""
import jax
import jax.numpy as jnp
from jax.scipy.special import logsumexp

FOCUS = "forward"
REASON = "z2 from forward(x) differs from the reference"
SYMPTOM = "it is the log-softmax of the reference"


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    keys = jax.random.split(key, 4)
    W1 = jax.random.uniform(keys[0], (n_hidden, n_in), minval=-0.5, maxval=0.5)
    b1 = jax.random.uniform(keys[1], (n_hidden,), minval=-0.5, maxval=0.5)
    W2 = jax.random.uniform(keys[2], (n_out, n_hidden), minval=-0.5, maxval=0.5)
    b2 = jax.random.uniform(keys[3], (n_out,), minval=-0.5, maxval=0.5)
    return W1, b1, W2, b2


def relu(x):
    return jnp.maximum(0, x)


def softmax(z):
    return jnp.exp(z - logsumexp(z))


def forward(W1, b1, W2, b2, x):
    activations = relu(jnp.dot(W1, x) + b1)
    logits = jnp.dot(W2, activations) + b2
    return logits - logsumexp(logits)


batched_forward_vmapped = jax.vmap(forward, in_axes=(None, None, None, None, 0))


def batched_forward(W1, b1, W2, b2, X):
    return batched_forward_vmapped(W1, b1, W2, b2, X)


def one_hot(Y, num_classes=10, dtype=jnp.float32):
    return jnp.array(Y[:, None] == jnp.arange(num_classes), dtype)


def loss_fn(W1, b1, W2, b2, X, Y):
    preds = batched_forward(W1, b1, W2, b2, X)
    targets = one_hot(Y, preds.shape[1])
    return -jnp.mean(preds * targets)


@jax.jit
def grads(W1, b1, W2, b2, X, Y):
    return jax.grad(loss_fn, argnums=(0, 1, 2, 3))(W1, b1, W2, b2, X, Y)


@jax.jit
def update_params(W1, b1, W2, b2, alpha, X, Y):
    dW1, db1, dW2, db2 = grads(W1, b1, W2, b2, X, Y)
    return W1 - alpha * dW1, b1 - alpha * db1, W2 - alpha * dW2, b2 - alpha * db2


def get_predictions(logits):
    return jnp.argmax(logits, axis=1)


def get_accuracy(predictions, Y):
    return jnp.mean(predictions == Y)


def gradient_descent(X, Y, alpha, iterations, key):
    params = init_params(key, X.shape[1])
    for _ in range(iterations):
        params = update_params(*params, alpha, X, Y)
    return params
