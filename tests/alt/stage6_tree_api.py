"""Stage 6 written with the jax.tree API, a module-level jit(vmap(...)) and lax.fori_loop."""
import jax
import jax.numpy as jnp


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    """The params dict, each entry uniform on [-0.5, 0.5) from its own subkey."""
    shapes = {"W1": (n_hidden, n_in), "b1": (n_hidden,), "W2": (n_out, n_hidden), "b2": (n_out,)}
    keys = dict(zip(shapes, jax.random.split(key, len(shapes))))
    return {name: jax.random.uniform(keys[name], shape, minval=-0.5, maxval=0.5)
            for name, shape in shapes.items()}


def forward(params, x):
    """Logits of one example."""
    hidden = jnp.maximum(jnp.dot(params["W1"], x) + params["b1"], 0)
    return jnp.dot(params["W2"], hidden) + params["b2"]


batched_forward = jax.jit(jax.vmap(forward, in_axes=(None, 0)))


@jax.jit
def loss_fn(params, X, Y):
    """Mean cross-entropy from log_softmax."""
    log_probs = jax.nn.log_softmax(batched_forward(params, X), axis=-1)
    return -jnp.take_along_axis(log_probs, Y[:, None], axis=-1).mean()


@jax.jit
def train_step(params, X, Y, alpha):
    """(new params, loss before the step)."""
    loss, grads = jax.value_and_grad(loss_fn)(params, X, Y)
    return jax.tree.map(lambda p, g: p - alpha * g, params, grads), loss


def get_predictions(logits):
    return logits.argmax(axis=-1)


def get_accuracy(predictions, Y):
    return (predictions == Y).mean()


def gradient_descent(X, Y, alpha, iterations, key):
    """`iterations` train steps inside one lax.fori_loop."""
    X, Y = jnp.asarray(X), jnp.asarray(Y)
    body = lambda _i, params: train_step(params, X, Y, alpha)[0]
    return jax.lax.fori_loop(0, iterations, body, init_params(key, X.shape[1]))
