# %% [markdown] tags=["intro"]
# # Stage 2: the same network in `jax.numpy`
#
# Stage 1's network, line for line, with `jnp` in place of `np`. Most of the
# code does not change at all, which is the point: `jax.numpy` mirrors the
# NumPy API. What does change are the three habits JAX asks for, and they are
# what every later stage (vmap, jit, grad) builds on.
#
# *Credit:* the kit retells, in its own words, the path of an eight-notebook
# tutorial that ports Samson Zhang's Kaggle notebook "Simple MNIST NN from
# scratch" to JAX one idea at a time. Nothing here is copied from it.
#
# **You write** `exercises/stage2_jax.py`; this notebook re-imports it in
# every cell that uses it.

# %% [markdown]
# ## The maths, with shapes
#
# Unchanged from stage 1 (column layout, $X: (784, m)$):
#
# - forward: $Z_1 = W_1X + b_1$ $(10, m)$, $A_1 = \mathrm{relu}(Z_1)$,
#   $Z_2 = W_2A_1 + b_2$ $(10, m)$, $A_2 = \mathrm{softmax}(Z_2)$ over axis 0;
# - loss: mean cross-entropy over the $m$ columns;
# - backward: $dZ_2 = (A_2 - T)/m$, $dW_2 = dZ_2A_1^\top$,
#   $db_2 = \sum_{\text{cols}} dZ_2$ $(10, 1)$,
#   $dZ_1 = W_2^\top dZ_2 \odot [Z_1>0]$, $dW_1 = dZ_1X^\top$ $(10, 784)$,
#   $db_1 = \sum_{\text{cols}} dZ_1$;
# - update: $p \leftarrow p - \alpha\,dp$.

# %% [markdown]
# ## The JAX idea: pure functions, explicit keys, float32
#
# - **Arrays are immutable.** `encoded[Y, idx] = 1` raises in JAX. Build the
#   one-hot matrix by comparison (`jnp.arange(n)[:, None] == Y`) or with
#   `jax.nn.one_hot`, or write `x.at[idx].set(v)`, which returns a new array.
#   Functions that never modify their inputs are what lets `jit` and `grad`
#   treat them as maths later on.
# - **Randomness is a value.** There is no hidden global state: you pass a
#   PRNG key, split it (`jax.random.split`) and use each subkey once. The same
#   key always gives the same network.
# - **float32 by default.** JAX computes in 32-bit floats unless you opt in
#   to 64-bit. Keep it so; `np.float64` constants silently promote.
#
# The pitfall from the original port: its softmax still exponentiated raw
# logits, and in float32 `exp` already overflows past about 88, far sooner
# than in NumPy's float64. The max-subtraction of stage 1 matters more here.

# %% [markdown]
# ## Train it
#
# The same loop as in stage 1, on your jax.numpy functions. (20 steps with
# `KIT_QUICK=1`.)

# %%
import jax

with kit.until_implemented(first=True):
    stage = kit.load_stage_file(2)  # re-imported: your latest saved edits count
    (X_train, Y_train), (X_val, Y_val) = kit.load_data("columns")
    alpha = 0.5

    W1, b1, W2, b2 = stage.init_params(jax.random.PRNGKey(0), X_train.shape[0])
    losses = []
    for step in kit.progress(range(kit.steps(500)), desc="gradient descent"):
        Z1, A1, Z2, A2 = stage.forward_prop(W1, b1, W2, b2, X_train)
        losses.append(kit.cross_entropy(A2, Y_train, axis=0))
        grads = stage.backward_prop(Z1, A1, Z2, A2, W1, W2, X_train, Y_train)
        W1, b1, W2, b2 = stage.update_params(W1, b1, W2, b2, *grads, alpha)

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
