# %% [markdown] tags=["intro"]
# # Stage 4: compiling with `jax.jit`
#
# Back to stage 2's column layout, and the same functions, now compiled.
# `jax.jit` traces a function once per combination of input shapes and
# dtypes, hands the traced program to the XLA compiler, and reuses the
# compiled code on every later call. The stage ends with `train_step`:
# forward, backward and update as ONE compiled program.
#
# *Credit:* the kit retells, in its own words, the path of an eight-notebook
# tutorial that ports Samson Zhang's Kaggle notebook "Simple MNIST NN from
# scratch" to JAX one idea at a time. Nothing here is copied from it.
#
# **You write** `exercises/stage4_jit.py`; this notebook re-imports it in
# every cell that uses it.

# %% [markdown]
# ## The maths, with shapes
#
# Stage 2's, unchanged (column layout, $X: (784, m)$): forward
# $Z_1 = W_1X + b_1$, $A_1 = \mathrm{relu}(Z_1)$, $Z_2 = W_2A_1 + b_2$,
# $A_2 = \mathrm{softmax}(Z_2)$, all $(10, m)$; mean cross-entropy; backward
# $dZ_2 = (A_2 - T)/m$, $dW_2 = dZ_2A_1^\top$, $db_2 = \sum_{\text{cols}}dZ_2$,
# $dZ_1 = W_2^\top dZ_2 \odot [Z_1 > 0]$, $dW_1 = dZ_1X^\top$,
# $db_1 = \sum_{\text{cols}}dZ_1$; update $p \leftarrow p - \alpha\,dp$.
#
# `train_step(W1, b1, W2, b2, X, Y, alpha)` chains the three, so XLA sees
# the whole step at once and can fuse the elementwise work between the
# matrix products.

# %% [markdown]
# ## The JAX idea: tracing, and what it forbids
#
# Under `jit` your Python runs once, on *tracers*: stand-ins that know a
# shape and a dtype but no values. Hence the rules:
#
# - **No Python branching on array values** (`if Z.max() > 0:`): a tracer has
#   no value to branch on. Use `jnp.where`, or make the argument static.
# - **Shapes must come from static information.** `one_hot` sized by
#   `Y.max() + 1` cannot compile: the size would depend on data. Its
#   `num_classes` is a *static* argument (`static_argnames`), and so are the
#   sizes of `init_params`.
# - **No NumPy on tracers, no side effects.** `np.exp(Z)` on a tracer fails;
#   a `print` runs once, at trace time.
# - **Keep `alpha` traced.** As a static argument, every new learning rate
#   would compile the step again.
#
# ## The pitfall this stage fixes
#
# JAX runs asynchronously: a jitted call returns before the result is
# computed. Timing a loop without `jax.block_until_ready` measures only how
# fast Python can *queue* work, and timing the first call measures the
# compiler. The timing cell at the end of this notebook does neither.

# %% [markdown]
# ## Train it
#
# Your compiled `train_step` in a loop; the loss comes from your jitted
# `forward_prop`. (20 steps with `KIT_QUICK=1`.)

# %%
import jax

with kit.until_implemented(first=True):
    stage = kit.load_stage_file(4)  # re-imported: your latest saved edits count
    (X_train, Y_train), (X_val, Y_val) = kit.load_data("columns")
    alpha = 0.5

    W1, b1, W2, b2 = stage.init_params(jax.random.PRNGKey(0), X_train.shape[0])
    losses = []
    for step in kit.progress(range(kit.steps(500)), desc="train_step"):
        losses.append(kit.cross_entropy(stage.forward_prop(W1, b1, W2, b2, X_train)[3], Y_train, axis=0))
        W1, b1, W2, b2 = stage.train_step(W1, b1, W2, b2, X_train, Y_train, alpha)

# %%
def predict(X):
    return stage.get_predictions(stage.forward_prop(W1, b1, W2, b2, X)[3])


with kit.until_implemented():
    kit.report_accuracy(stage.get_accuracy(predict(X_train), Y_train),
                        stage.get_accuracy(predict(X_val), Y_val))

# %% [markdown]
# Digits the network has not trained on, with its guesses (wrong ones in
# red), and the loss curve:

# %%
with kit.until_implemented():
    split, images, labels = kit.display_split()
    kit.show_digits(images, predict(images[:8].T), labels[:8], split)
    kit.plot_loss(losses)
