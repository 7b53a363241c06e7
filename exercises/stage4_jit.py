"""Stage 4: the stage-2 network compiled with jax.jit.

Same names, signatures and column layout as stage 2. Every function except
gradient_descent is compiled with jax.jit: the first call with new shapes
traces the Python code once with abstract arrays (tracers) and compiles the
result with XLA; later calls with the same shapes and dtypes reuse the
compiled program. So a jitted body may not branch in Python on array values,
call NumPy on them, or have side effects. Arguments that decide shapes
(one_hot's num_classes, init_params' sizes) are static: they are Python
values baked into the compiled program. `train_step` does forward, backward
and update in ONE compiled program, with a traced `alpha`.

Adding the decorators (`@jax.jit`, or `@partial(jax.jit, static_argnames=...)`
for static arguments) is part of this stage's work.
"""
from functools import partial

import jax
import jax.numpy as jnp


def init_params(key, n_in=784, n_hidden=10, n_out=10):
    """Draw W1, b1, W2, b2 uniformly from [-0.5, 0.5) with the PRNG key `key`.

    The sizes are static: they decide the shapes of the compiled program.
    """
    # TODO: split the key in four and draw each array with jax.random.uniform(k, shape, minval=-0.5, maxval=0.5).
    raise NotImplementedError("stage 4: init_params")


def relu(Z):
    """Elementwise max(Z, 0)."""
    # TODO: return jnp.maximum(Z, 0) (a Python `if` on Z's values would not trace).
    raise NotImplementedError("stage 4: relu")


def relu_deriv(Z):
    """Derivative of ReLU as a float32 array: 1.0 where Z > 0, else 0.0."""
    # TODO: turn the boolean mask Z > 0 into float32.
    raise NotImplementedError("stage 4: relu_deriv")


def softmax(Z):
    """Column-wise softmax of (n_out, m) logits; each column sums to 1."""
    # TODO: subtract each column's max before jnp.exp so that exp never overflows.
    raise NotImplementedError("stage 4: softmax")


def forward_prop(W1, b1, W2, b2, X):
    """Forward pass returning (Z1, A1, Z2, A2), as in stage 2."""
    # TODO: the stage-2 forward pass; calling the jitted relu and softmax inside is fine (they are inlined).
    raise NotImplementedError("stage 4: forward_prop")


def one_hot(Y, num_classes=10):
    """Labels (m,) -> (num_classes, m) float32 array; num_classes is static (it is a shape)."""
    # TODO: compare jnp.arange(num_classes)[:, None] with Y[None, :] and cast to float32.
    raise NotImplementedError("stage 4: one_hot")


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    """Gradients (dW1, db1, dW2, db2) of the mean cross-entropy over the m examples."""
    # TODO: the stage-2 backward pass; A2.shape[0] is a Python int even under jit, so it can size one_hot.
    raise NotImplementedError("stage 4: backward_prop")


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    """One gradient step p - alpha * dp; alpha is traced, so a new alpha reuses the program."""
    # TODO: return p - alpha * dp for each parameter.
    raise NotImplementedError("stage 4: update_params")


def train_step(W1, b1, W2, b2, X, Y, alpha):
    """One full-batch step (forward, backward, update) compiled as ONE program."""
    # TODO: forward_prop, then backward_prop, then update_params, all inside this one jitted function.
    raise NotImplementedError("stage 4: train_step")


def get_predictions(A2):
    """Index of the most probable class for each column, shape (m,)."""
    # TODO: jnp.argmax over axis 0.
    raise NotImplementedError("stage 4: get_predictions")


def get_accuracy(predictions, Y):
    """Fraction of correct predictions, a 0-d array in [0, 1]."""
    # TODO: the mean of predictions == Y (a 0-d array: no float() inside a jitted function).
    raise NotImplementedError("stage 4: get_accuracy")


def gradient_descent(X, Y, alpha, iterations, key):
    """Train from init_params(key, X.shape[0]) with `iterations` calls of train_step.

    Not jitted itself: a Python loop around the compiled train_step, which
    compiles once and then runs `iterations` times.
    """
    # TODO: init with init_params(key, X.shape[0]), then loop params = train_step(*params, X, Y, alpha).
    raise NotImplementedError("stage 4: gradient_descent")
