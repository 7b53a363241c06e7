# %% [markdown] tags=["intro"]
# # Stage 6: `grad` + `jit` + `vmap`, with the parameters as one pytree
#
# The three transformations together. The four arrays travel as ONE value,
# a dict `{"W1", "b1", "W2", "b2"}`; because JAX understands nested
# containers of arrays (*pytrees*), `jax.value_and_grad` hands back the
# gradients as a dict of the same shape, `jax.tree_util.tree_map` updates
# every leaf in one line, and the whole training step is one jitted function.
#
# *Credit:* the kit retells, in its own words, the path of an eight-notebook
# tutorial that ports Samson Zhang's Kaggle notebook "Simple MNIST NN from
# scratch" to JAX one idea at a time. Nothing here is copied from it.
#
# **You write** `exercises/stage6_autograd_optimized.py`; this notebook
# re-imports it in every cell that uses it.

# %% [markdown]
# ## The maths, with shapes
#
# Stage 5's, with `params` in place of four arguments (row layout,
# $X: (m, 784)$):
#
# - `forward(params, x)`: logits $(10,)$ of one example;
#   `batched_forward(params, X)`: `jit(vmap(forward))`, logits $(m, 10)$.
# - `loss_fn(params, X, Y)`: mean cross-entropy from logits, a scalar.
# - `train_step(params, X, Y, alpha)`: `loss, grads = value_and_grad(loss_fn)(params, X, Y)`,
#   where `grads` has exactly the structure of `params` (`grads["W1"]` is
#   $(10, 784)$, ...); then `tree_map(lambda p, g: p - alpha * g, params, grads)`.
#   It returns the new params and the loss *of the params passed in*.

# %% [markdown]
# ## The JAX idea: pytrees and `value_and_grad`
#
# A pytree is any nesting of tuples, lists and dicts whose leaves are
# arrays. Every JAX transformation accepts and returns pytrees, so adding a
# layer means adding a key, not a new argument to every function.
# `jax.value_and_grad` returns the loss and its gradient from one pass,
# instead of running the forward pass twice.
#
# ## The pitfall this stage fixes
#
# Four loose arrays in a fixed order invite silent mix-ups (`b1` where `W2`
# belonged still runs when the shapes happen to broadcast), and a Python
# loop calling several small jitted functions pays the dispatch cost of each
# of them on every step. One dict, one compiled step: the step compiles once
# and is then reused for every call with the same shapes.

# %% [markdown]
# ## Train it
#
# Your `train_step` returns the loss it saw, so the curve costs nothing
# extra. (20 steps with `KIT_QUICK=1`.)

# %%
import jax

with kit.until_implemented(first=True):
    stage = kit.load_stage_file(6)  # re-imported: your latest saved edits count
    (X_train, Y_train), (X_val, Y_val) = kit.load_data("rows")
    alpha = 0.5

    params = stage.init_params(jax.random.PRNGKey(0), X_train.shape[1])
    losses = []
    for step in kit.progress(range(kit.steps(500)), desc="train_step"):
        params, loss = stage.train_step(params, X_train, Y_train, alpha)
        losses.append(float(loss))

# %%
def predict(X):
    return stage.get_predictions(stage.batched_forward(params, X))


with kit.until_implemented():
    kit.report_accuracy(stage.get_accuracy(predict(X_train), Y_train),
                        stage.get_accuracy(predict(X_val), Y_val))

# %% [markdown]
# Digits the network has not trained on, with its guesses (wrong ones in
# red), and the loss curve:

# %%
with kit.until_implemented():
    split, images, labels = kit.display_split()
    kit.show_digits(images, predict(images[:8]), labels[:8], split)
    kit.plot_loss(losses)
