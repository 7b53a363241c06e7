"""train_step marks alpha static, so every new learning rate compiles the step again."""
EXPECT_FAIL = ["train_step_compiles_once"]
FOCUS = "train_step"

import functools  # noqa: E402 - appended to the solution


@functools.partial(jax.jit, static_argnames="alpha")
def train_step(params, X, Y, alpha):
    loss, grads = jax.value_and_grad(loss_fn)(params, X, Y)
    return jax.tree_util.tree_map(lambda p, g: p - alpha * g, params, grads), loss
