# %% [markdown] tags=["intro"]
# # Stage 7: the network as a Haiku module
#
# So far the network was a handful of arrays and the functions that used
# them. Haiku, DeepMind's neural-network library for JAX, lets you write the
# network as an object-oriented module (`hk.Linear` layers in an `hk.Module`)
# and then turns it back into the pure functions JAX wants: `hk.transform`
# gives an `init` that creates the parameters and an `apply` that runs the
# network with them.
#
# *Credit:* the kit retells, in its own words, the path of an eight-notebook
# tutorial that ports Samson Zhang's Kaggle notebook "Simple MNIST NN from
# scratch" to JAX one idea at a time. Nothing here is copied from it.
#
# **You write** `exercises/stage7_haiku.py`; this notebook re-imports it in
# every cell that uses it.

# %% [markdown]
# ## The maths, with shapes
#
# Row layout, $X: (m, 784)$. `MLP.__call__` computes
# `Linear(10) -> relu -> Linear(10)`: logits $(m, 10)$. Haiku's `Linear`
# stores its weight as $w: (n_\text{in}, n_\text{out})$ and computes
# $xw + b$, the transpose of the $W_1: (10, 784)$ of earlier stages.
#
# - `params = model.init(key, X)`: a nested dict, layer name ->
#   `{"w": ..., "b": ...}`, shapes $(784, 10), (10,), (10, 10), (10,)$,
#   drawn with Haiku's default initialisers (a truncated normal scaled by
#   $1/\sqrt{n_\text{in}}$ for `w`, zeros for `b`).
# - `loss_fn(params, X, Y)`: mean cross-entropy of `model.apply(params, X)`.
# - `train_step`: `value_and_grad` of the loss, then
#   `update_params(params, grads, alpha)`, a `tree_map` of
#   $p - \alpha g$ over the nested dict.

# %% [markdown]
# ## The JAX idea: `hk.transform`
#
# Haiku modules may only be called inside a function that `hk.transform`
# wraps: `forward_fn(x) = MLP()(x)`. The transformed pair is pure:
# `init(key, x)` runs the function once to discover the shapes and returns
# fresh parameters; `apply(params, x)` runs it with the parameters you give.
# `hk.without_apply_rng` drops the random key `apply` would otherwise take,
# since this network uses no randomness after initialisation.
#
# ## The pitfalls this stage fixes
#
# - **Calling the module outside `transform`**: Haiku raises, because a
#   module needs the transform to own its parameters.
# - **Calling `init` inside the training loop**, which restarts from fresh
#   random weights on every step. Initialise once; thread `params` through.
# - **Assuming the stage-6 layout**: the parameter tree is Haiku's nested
#   dict with transposed weights; `tree_map` does not care, which is the point.

# %% [markdown]
# ## Train it
#
# Your `train_step` on the full training set, recording the loss it
# returns. (20 steps with `KIT_QUICK=1`.)

# %%
import jax

with kit.until_implemented(first=True):
    stage = kit.load_stage_file(7)  # re-imported: your latest saved edits count
    (X_train, Y_train), (X_val, Y_val) = kit.load_data("rows")
    alpha = 0.5

    params = stage.model.init(jax.random.PRNGKey(0), X_train[:1])
    losses = []
    for step in kit.progress(range(kit.steps(500)), desc="train_step"):
        params, loss = stage.train_step(params, X_train, Y_train, alpha)
        losses.append(float(loss))

# %%
def predict(X):
    return stage.get_predictions(stage.model.apply(params, X))


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
