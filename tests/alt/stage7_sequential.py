"""Stage 7, another idiom: hk.Sequential, an Optax loss and a lax.fori_loop training loop."""
import haiku as hk
import jax
import jax.numpy as jnp
import optax


class MLP(hk.Module):
    """Linear -> ReLU -> Linear as an hk.Sequential."""

    def __init__(self, n_hidden=10, n_out=10, name=None):
        super().__init__(name=name)
        self.layers = [hk.Linear(n_hidden, name="hidden"), jax.nn.relu, hk.Linear(n_out, name="logits")]

    def __call__(self, x):
        return hk.Sequential(self.layers)(x)


def forward_fn(x):
    return MLP()(x)


model = hk.without_apply_rng(hk.transform(forward_fn))


def loss_fn(params, X, Y):
    return optax.softmax_cross_entropy_with_integer_labels(model.apply(params, X), Y).mean()


def update_params(params, grads, alpha):
    return jax.tree_util.tree_map(lambda p, g: p - alpha * g, params, grads)


@jax.jit
def train_step(params, X, Y, alpha):
    loss, grads = jax.value_and_grad(loss_fn)(params, X, Y)
    return update_params(params, grads, alpha), loss


def get_predictions(logits):
    return jnp.argmax(logits, axis=1)


def get_accuracy(predictions, Y):
    return jnp.mean(predictions == Y)


def gradient_descent(X, Y, alpha, iterations, key):
    def body(_, params):
        return train_step(params, X, Y, alpha)[0]
    return jax.lax.fori_loop(0, iterations, body, model.init(key, X))
