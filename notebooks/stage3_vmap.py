# %% [markdown] tags=["intro"]
# # Stage 3: one example at a time, batched by `jax.vmap`
#
# Until now every function juggled a whole batch: the batch axis ran through
# every matrix product and every `keepdims=True`. This stage writes the
# forward pass for **one** example, a plain vector, and lets `jax.vmap` run
# it over all the rows of a batch. The maths gets simpler, and the batching
# becomes a separate, mechanical step that JAX does for you.
#
# *Credit:* the kit retells, in its own words, the path of an eight-notebook
# tutorial that ports Samson Zhang's Kaggle notebook "Simple MNIST NN from
# scratch" to JAX one idea at a time. Nothing here is copied from it.
#
# **You write** `exercises/stage3_vmap.py`; this notebook re-imports it in
# every cell that uses it.

# %% [markdown]
# ## The maths, with shapes
#
# **Row layout from now on:** a batch is $X: (m, 784)$, one example per
# **row**, and biases are plain vectors.
#
# **Forward, for ONE example** $x: (784,)$:
#
# | quantity | formula | shape |
# | --- | --- | --- |
# | hidden | $z_1 = W_1 x + b_1$, $a_1 = \max(z_1, 0)$ | $(10,)$, with $W_1: (10, 784)$, $b_1: (10,)$ |
# | logits | $z_2 = W_2 a_1 + b_2$ | $(10,)$ |
# | probabilities | $a_2 = \operatorname{softmax}(z_2)$ | $(10,)$, sums to 1 |
#
# `batched_forward = jax.vmap(forward, in_axes=(None, None, None, None, 0))`
# stacks the per-example results into $Z_1, A_1: (m, 10)$ and
# $Z_2, A_2: (m, 10)$: the parameters are shared (`None`), the examples are
# mapped over axis 0 of $X$.
#
# **Loss.** Mean cross-entropy over the $m$ rows.
#
# **Backward, on the stacked rows** (with $T: (m, 10)$ the one-hot labels):
#
# $$dZ_2 = \tfrac{1}{m}(A_2 - T),\quad dW_2 = dZ_2^\top A_1\ (10, 10),\quad db_2 = \textstyle\sum_{\text{rows}} dZ_2\ (10,)$$
# $$dZ_1 = (dZ_2\, W_2) \odot [Z_1 > 0],\quad dW_1 = dZ_1^\top X\ (10, 784),\quad db_1 = \textstyle\sum_{\text{rows}} dZ_1$$
#
# **Update.** $p \leftarrow p - \alpha\, dp$.

# %% [markdown]
# ## The JAX idea: `vmap`
#
# `jax.vmap(f, in_axes=...)` turns a function of one example into a function
# of a batch, without a Python loop: JAX traces `f` once and adds the batch
# axis to every operation inside. `in_axes` says, argument by argument, which
# axis to map over, or `None` for an argument shared by the whole batch.
#
# ## The pitfalls this stage fixes
#
# - **Mapping over the parameters.** `in_axes=0` for every argument asks
#   vmap to slice `W1` too; the parameters must be `None`.
# - **A single-example softmax that still thinks in batches.** Inside
#   `forward` there is no batch axis: `softmax` normalises its one vector
#   (subtracting its max first, as always). An `axis=0` copied from stage 1
#   would now be the class axis only by luck.
# - **Transposes from the column layout.** With rows as examples, stage 1's
#   `dZ2 @ A1.T` becomes `dZ2.T @ A1`, and the biases sum over axis 0.

# %% [markdown]
# ## Train it
#
# Your `batched_forward`, `backward_prop` and `update_params`, in a loop
# that records the loss. (20 steps with `KIT_QUICK=1`.)

# %%
import jax

with kit.until_implemented(first=True):
    stage = kit.load_stage_file(3)  # re-imported: your latest saved edits count
    (X_train, Y_train), (X_val, Y_val) = kit.load_data("rows")
    alpha = 0.5

    W1, b1, W2, b2 = stage.init_params(jax.random.PRNGKey(0), X_train.shape[1])
    losses = []
    for step in kit.progress(range(kit.steps(500)), desc="gradient descent"):
        Z1, A1, Z2, A2 = stage.batched_forward(W1, b1, W2, b2, X_train)
        losses.append(kit.cross_entropy(A2, Y_train, axis=1))
        grads = stage.backward_prop(Z1, A1, Z2, A2, W1, W2, X_train, Y_train)
        W1, b1, W2, b2 = stage.update_params(W1, b1, W2, b2, *grads, alpha)

# %%
def predict(X):
    return stage.get_predictions(stage.batched_forward(W1, b1, W2, b2, X)[3])


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
