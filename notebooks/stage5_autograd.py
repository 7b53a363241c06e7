# %% [markdown] tags=["intro"]
# # Stage 5: gradients from `jax.grad`
#
# Four stages of hand-written backprop end here. You write the loss, a
# scalar function of the parameters, and `jax.grad` gives its gradient with
# respect to any of its arguments. The forward pass works on one example and
# is batched with `vmap`, as in stage 3, and now returns logits: the softmax
# moves into the loss, where it can be computed stably.
#
# *Credit:* the kit retells, in its own words, the path of an eight-notebook
# tutorial that ports Samson Zhang's Kaggle notebook "Simple MNIST NN from
# scratch" to JAX one idea at a time. Nothing here is copied from it.
#
# **You write** `exercises/stage5_autograd.py`; this notebook re-imports it
# in every cell that uses it.

# %% [markdown]
# ## The maths, with shapes
#
# Row layout, $X: (m, 784)$.
#
# - **Forward (one example):** $z_2 = W_2\,\mathrm{relu}(W_1x + b_1) + b_2$,
#   logits $(10,)$; `batched_forward` = `vmap` of it, $(m, 10)$.
# - **Loss, from logits:** with $\log\operatorname{softmax}(z) = z -
#   \log\sum_j e^{z_j}$ (the *logsumexp*, computed after subtracting the
#   max), $L = -\frac{1}{m}\sum_i \log\operatorname{softmax}(z^{(i)})_{y_i}$,
#   a scalar.
# - **Backward:** `jax.grad(loss_fn, argnums=(0, 1, 2, 3))` returns
#   $(dW_1, db_1, dW_2, db_2)$, each shaped like its parameter. It is the
#   same gradient stage 3 wrote by hand, now derived from the loss.
# - **Update:** $p \leftarrow p - \alpha\,dp$.

# %% [markdown]
# ## The JAX idea: `grad`
#
# `jax.grad(f)` is a new function that returns $\partial f / \partial x$ for
# the first argument (or those named by `argnums`). `f` must return a scalar;
# JAX traces it and applies the chain rule through every `jnp` operation,
# `vmap` included. Composing transformations (`grad` of a `vmap`ped loss,
# `jit` of a `grad`) is the core habit of JAX.
#
# ## The pitfall this stage fixes
#
# Computing the loss as `log(softmax(z))`: for logits of a few hundred the
# softmax underflows to exactly 0 for the other classes, `log(0)` is `-inf`,
# and the gradient becomes `nan`. Working in log space (`z - logsumexp(z)`,
# or `jax.nn.log_softmax`) stays finite for any logits. And the loss is a
# **mean** over the batch, so the gradient does not grow with $m$.

# %% [markdown]
# ## Train it
#
# Your `loss_fn` records the curve; your `update_params` takes each step
# with `jax.grad`. (20 steps with `KIT_QUICK=1`.)

# %%
import jax

with kit.until_implemented(first=True):
    stage = kit.load_stage_file(5)  # re-imported: your latest saved edits count
    (X_train, Y_train), (X_val, Y_val) = kit.load_data("rows")
    alpha = 0.5

    W1, b1, W2, b2 = stage.init_params(jax.random.PRNGKey(0), X_train.shape[1])
    losses = []
    for step in kit.progress(range(kit.steps(500)), desc="gradient descent"):
        losses.append(float(stage.loss_fn(W1, b1, W2, b2, X_train, Y_train)))
        W1, b1, W2, b2 = stage.update_params(W1, b1, W2, b2, alpha, X_train, Y_train)

# %%
def predict(X):
    return stage.get_predictions(stage.batched_forward(W1, b1, W2, b2, X))


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
