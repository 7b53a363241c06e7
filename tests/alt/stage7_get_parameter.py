"""Stage 7, another idiom: parameters declared with hk.get_parameter in one module.

The layers are written out as x @ w + b with custom parameter names, the loss
uses logsumexp, and nothing is jitted: the autograder finds the layers by shape.
"""
import haiku as hk
import jax
import jax.numpy as jnp


class MLP(hk.Module):
    """Linear -> ReLU -> Linear, with explicitly declared parameters."""

    def __init__(self, n_hidden=10, n_out=10, name=None):
        super().__init__(name=name)
        self.n_hidden, self.n_out = n_hidden, n_out

    def _dense(self, x, n_out, suffix):
        n_in = x.shape[-1]
        init = hk.initializers.TruncatedNormal(stddev=1.0 / n_in**0.5)
        w = hk.get_parameter(f"weights_{suffix}", (n_in, n_out), x.dtype, init=init)
        b = hk.get_parameter(f"bias_{suffix}", (n_out,), x.dtype, init=jnp.zeros)
        return x @ w + b

    def __call__(self, x):
        return self._dense(jax.nn.relu(self._dense(x, self.n_hidden, "in")), self.n_out, "out")


def forward_fn(x):
    return MLP(name="classifier")(x)


model = hk.without_apply_rng(hk.transform(forward_fn))


def loss_fn(params, X, Y):
    Z = model.apply(params, X)
    correct = Z[jnp.arange(Y.shape[0]), Y]
    return jnp.mean(jax.scipy.special.logsumexp(Z, axis=1) - correct)


def update_params(params, grads, alpha):
    return jax.tree.map(lambda p, g: p - alpha * g, params, grads)


def train_step(params, X, Y, alpha):
    loss, grads = jax.value_and_grad(loss_fn)(params, X, Y)
    return update_params(params, grads, alpha), loss


def get_predictions(logits):
    return logits.argmax(axis=-1)


def get_accuracy(predictions, Y):
    return (predictions == Y).mean()


def gradient_descent(X, Y, alpha, iterations, key):
    params = model.init(key, X)
    for _ in range(iterations):
        params = train_step(params, X, Y, alpha)[0]
    return params
