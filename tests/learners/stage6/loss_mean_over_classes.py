"""Stage 6 with the JAX documentation's loss, `-jnp.mean(log_probs * targets)`.

The mean runs over the n_out classes as well as the m examples, so the loss is
exactly 1/n_out of the mean cross-entropy (and so are its gradients).
"""
import jax
import jax.numpy as jnp

FOCUS = "loss_fn"
REASON = "loss_fn"
SYMPTOM = "the number of classes"
IDEA = "classes"


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    k1, k2, k3, k4 = jax.random.split(key, 4)
    return {
        "W1": jax.random.uniform(k1, (n_hidden, n_in), minval=-0.5, maxval=0.5),
        "b1": jax.random.uniform(k2, (n_hidden,), minval=-0.5, maxval=0.5),
        "W2": jax.random.uniform(k3, (n_out, n_hidden), minval=-0.5, maxval=0.5),
        "b2": jax.random.uniform(k4, (n_out,), minval=-0.5, maxval=0.5),
    }


def forward(params, x):
    hidden = jax.nn.relu(params["W1"] @ x + params["b1"])
    return params["W2"] @ hidden + params["b2"]


batched_forward = jax.jit(jax.vmap(forward, in_axes=(None, 0)))


@jax.jit
def loss_fn(params, X, Y):
    logits = batched_forward(params, X)
    targets = jax.nn.one_hot(Y, logits.shape[1])
    return -jnp.mean(jax.nn.log_softmax(logits) * targets)


@jax.jit
def train_step(params, X, Y, alpha):
    loss, grads = jax.value_and_grad(loss_fn)(params, X, Y)
    new_params = jax.tree_util.tree_map(lambda p, g: p - alpha * g, params, grads)
    return new_params, loss


def get_predictions(logits):
    return jnp.argmax(logits, axis=1)


def get_accuracy(predictions, Y):
    return jnp.mean(predictions == Y)


def gradient_descent(X, Y, alpha, iterations, key):
    params = init_params(key, X.shape[1])
    for _ in range(iterations):
        params, _ = train_step(params, X, Y, alpha)
    return params
