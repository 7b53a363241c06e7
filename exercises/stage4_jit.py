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
    # TODO: Jit it with the three sizes static: they decide shapes. Draw W1 (n_hidden, n_in),
    #       b1 (n_hidden, 1), W2 (n_out, n_hidden), b2 (n_out, 1): [-0.5, 0.5), own subkey each.
    raise NotImplementedError("stage 4: init_params")


def relu(Z):
    """Elementwise max(Z, 0)."""
    # TODO: Jit it. Keep each positive entry of Z and zero the rest with array operations:
    #       under jit a Python `if` cannot look at Z's values.
    raise NotImplementedError("stage 4: relu")


def relu_deriv(Z):
    """Derivative of ReLU, Z's shape: 1 where Z > 0, else 0 (float32, or the boolean mask Z > 0)."""
    # TODO: Jit it. ReLU's slope for every entry of Z, float32 or a boolean mask: 1 where Z is
    #       positive, 0 elsewhere (Z == 0 included), with jax.numpy only: NumPy cannot read
    #       traced values.
    raise NotImplementedError("stage 4: relu_deriv")


def softmax(Z):
    """Column-wise softmax of (n_out, m) logits; each column sums to 1."""
    # TODO: Jit it. Turn each column of Z (n_out, m) into probabilities summing to 1; shift each
    #       column by a constant always, not only when a Python test finds large logits.
    raise NotImplementedError("stage 4: softmax")


def forward_prop(W1, b1, W2, b2, X):
    """Forward pass returning (Z1, A1, Z2, A2), as in stage 2."""
    # TODO: Jit it. The stage-2 forward pass: Z1, A1 (n_hidden, m), then Z2, A2 (n_out, m);
    #       calling your jitted relu and softmax inside is fine, they join this program.
    raise NotImplementedError("stage 4: forward_prop")


def one_hot(Y, num_classes=10):
    """Labels (m,) -> (num_classes, m) float32 array; num_classes is static (it is a shape)."""
    # TODO: Jit it with num_classes static, since it is a shape: a (num_classes, m) float32 array,
    #       column i all 0 but a 1 in the row of its label; no value read from Y can size it.
    raise NotImplementedError("stage 4: one_hot")


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    """Gradients (dW1, db1, dW2, db2) of the mean cross-entropy over the m examples."""
    # TODO: Jit it. The stage-2 gradients: mean over the m columns of X, each bias gradient
    #       summed over the examples; shapes such as m are plain Python ints even under jit.
    raise NotImplementedError("stage 4: backward_prop")


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    """One gradient step p - alpha * dp; alpha is traced, so a new alpha reuses the program."""
    # TODO: Jit it, keeping alpha traced (not static) so one program serves every alpha; return
    #       new parameters, each moved a step of size alpha against its gradient.
    raise NotImplementedError("stage 4: update_params")


def train_step(W1, b1, W2, b2, X, Y, alpha):
    """One full-batch step (forward, backward, update) compiled as ONE program."""
    # TODO: Jit it: one full-batch step, forward_prop, backward_prop, then update_params with
    #       alpha, compiled as ONE program; return the new (W1, b1, W2, b2).
    raise NotImplementedError("stage 4: train_step")


def get_predictions(A2):
    """Index of the most probable class for each column, shape (m,)."""
    # TODO: Jit it. For each column of A2 (n_out, m), the index of its most probable class: (m,).
    raise NotImplementedError("stage 4: get_predictions")


def get_accuracy(predictions, Y):
    """Fraction of correct predictions, a 0-d array in [0, 1]."""
    # TODO: Jit it. The fraction of predictions equal to their label, as a 0-d array in [0, 1];
    #       no conversion to a Python number inside: values are unknown while jit traces.
    raise NotImplementedError("stage 4: get_accuracy")


def gradient_descent(X, Y, alpha, iterations, key):
    """Train from init_params(key, X.shape[0]) with `iterations` calls of train_step.

    Not jitted itself: a Python loop around the compiled train_step, which
    compiles once and then runs `iterations` times.
    """
    # TODO: Not jitted: start from init_params with your key and X's number of features, then
    #       call train_step `iterations` times, keeping the parameters each call returns.
    raise NotImplementedError("stage 4: gradient_descent")
