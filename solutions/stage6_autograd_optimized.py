"""Stage 6: grad + jit + vmap, with the parameters as one pytree.

The four arrays travel together as one dict {"W1", "b1", "W2", "b2"} (stage-3
row-layout shapes). Because a dict is a pytree, jax.value_and_grad returns the
gradients as a dict of the same shape and jax.tree_util.tree_map updates every
leaf in one line; the whole training step is then a single jitted function.
"""
import jax
import jax.numpy as jnp


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    """The params dict: W1 (n_hidden, n_in), b1 (n_hidden,), W2 (n_out, n_hidden), b2 (n_out,).

    Every entry is float32, uniform on [-0.5, 0.5), drawn from its own subkey of `key`.
    """
    ### BEGIN SOLUTION
    # TODO: The params dict {'W1', 'b1', 'W2', 'b2'} (shapes in the docstring), float32, uniform on
    #       [-0.5, 0.5); give each array its own subkey so that no two share their random numbers.
    k1, k2, k3, k4 = jax.random.split(key, 4)
    uniform = lambda k, shape: jax.random.uniform(k, shape, minval=-0.5, maxval=0.5)
    return {
        "W1": uniform(k1, (n_hidden, n_in)),
        "b1": uniform(k2, (n_hidden,)),
        "W2": uniform(k3, (n_out, n_hidden)),
        "b2": uniform(k4, (n_out,)),
    }
    ### END SOLUTION


def forward(params, x):
    """Logits (n_out,) of ONE example x (n_in,)."""
    ### BEGIN SOLUTION
    # TODO: Logits (n_out,) of ONE example x (n_in,), from the arrays in params: a relu hidden
    #       layer (n_hidden,), then the output layer. No softmax: the loss works from logits.
    hidden = jax.nn.relu(params["W1"] @ x + params["b1"])  # (n_hidden,)
    return params["W2"] @ hidden + params["b2"]  # (n_out,)
    ### END SOLUTION


@jax.jit
def batched_forward(params, X):
    """Logits (m, n_out) of the m rows of X (m, n_in): forward, vectorised with jax.vmap."""
    ### BEGIN SOLUTION
    # TODO: Logits (m, n_out): let jax.vmap map forward over the rows of X (m, n_in), the params
    #       dict shared by every row, not mapped. JAX then traces forward once for any m.
    return jax.vmap(forward, in_axes=(None, 0))(params, X)
    ### END SOLUTION


@jax.jit
def loss_fn(params, X, Y):
    """Mean cross-entropy of the m rows of X against the labels Y (m,), computed from logits."""
    ### BEGIN SOLUTION
    # TODO: One number: the mean over the m rows of minus the log-probability of the true class,
    #       computed straight from the logits (m, n_out) so that logits of 1e3 cannot give log(0).
    logits = batched_forward(params, X)  # (m, n_out)
    log_probs = logits - jax.nn.logsumexp(logits, axis=1, keepdims=True)  # stable for huge logits
    return -jnp.mean(log_probs[jnp.arange(Y.shape[0]), Y])
    ### END SOLUTION


@jax.jit
def train_step(params, X, Y, alpha):
    """One SGD step: (new params, loss of the params passed in)."""
    ### BEGIN SOLUTION
    # TODO: (new params, loss): one SGD step of size alpha on every leaf of the params dict, with
    #       loss and gradients from one jax.value_and_grad; the loss is that of the params passed in.
    loss, grads = jax.value_and_grad(loss_fn)(params, X, Y)
    new_params = jax.tree_util.tree_map(lambda p, g: p - alpha * g, params, grads)
    return new_params, loss
    ### END SOLUTION


def get_predictions(logits):
    """Index of the largest logit of each row, shape (m,)."""
    ### BEGIN SOLUTION
    # TODO: (m,) integer class per row of logits (m, n_out): the position of the largest logit.
    return jnp.argmax(logits, axis=1)
    ### END SOLUTION


def get_accuracy(predictions, Y):
    """Fraction of correct predictions, a 0-d array in [0, 1]."""
    ### BEGIN SOLUTION
    # TODO: A 0-d array in [0, 1]: the fraction of the m predictions that equal their label.
    return jnp.mean(predictions == Y)
    ### END SOLUTION


def gradient_descent(X, Y, alpha, iterations, key):
    """Train from init_params(key, X.shape[1]) with `iterations` calls of train_step."""
    ### BEGIN SOLUTION
    # TODO: Start from init_params with `key` and X's number of features (its columns), then call
    #       train_step exactly `iterations` times with alpha; return the trained params dict.
    params = init_params(key, X.shape[1])
    for _ in range(iterations):
        params, _loss = train_step(params, X, Y, alpha)
    return params
    ### END SOLUTION
