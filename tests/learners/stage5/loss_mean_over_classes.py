"""Stage 5 with logits from forward and the JAX documentation's loss:
`-jnp.mean(log_probs * one_hot)` averages over the classes as well as the
examples, so the loss is 1/n_out of the mean cross-entropy."""
import jax
import jax.numpy as jnp

FOCUS = "loss_fn"
REASON = "loss_fn"
SYMPTOM = "the number of classes"
IDEA = "classes"


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    k1, k2, k3, k4 = jax.random.split(key, 4)
    W1 = jax.random.uniform(k1, (n_hidden, n_in), minval=-0.5, maxval=0.5)
    b1 = jax.random.uniform(k2, (n_hidden,), minval=-0.5, maxval=0.5)
    W2 = jax.random.uniform(k3, (n_out, n_hidden), minval=-0.5, maxval=0.5)
    b2 = jax.random.uniform(k4, (n_out,), minval=-0.5, maxval=0.5)
    return W1, b1, W2, b2


def relu(z):
    return jnp.maximum(z, 0)


def softmax(z):
    e = jnp.exp(z - jnp.max(z))
    return e / jnp.sum(e)


def forward(W1, b1, W2, b2, x):
    return W2 @ relu(W1 @ x + b1) + b2


def batched_forward(W1, b1, W2, b2, X):
    return jax.vmap(forward, in_axes=(None, None, None, None, 0))(W1, b1, W2, b2, X)


def one_hot(Y, num_classes=10):
    return jax.nn.one_hot(Y, num_classes)


@jax.jit
def loss_fn(W1, b1, W2, b2, X, Y):
    logits = batched_forward(W1, b1, W2, b2, X)
    return -jnp.mean(jax.nn.log_softmax(logits) * one_hot(Y, logits.shape[1]))


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
    W1, b1, W2, b2 = init_params(key, X.shape[1])
    for _ in range(iterations):
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, alpha, X, Y)
    return W1, b1, W2, b2
