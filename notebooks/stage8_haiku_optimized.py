# %% [markdown] tags=["intro"]
# # Stage 8: Haiku + Optax, minibatches, every step compiled
#
# The last stage swaps the hand-written update for Optax, DeepMind's library
# of optimizers for JAX, and trains on minibatches reshuffled every epoch.
# An Optax optimizer is, again, a pair of pure functions: `init(params)`
# builds its state (empty for SGD, running moments for Adam) and
# `update(grads, state, params)` returns the updates and the new state.
#
# *Credit:* the kit retells, in its own words, the path of an eight-notebook
# tutorial that ports Samson Zhang's Kaggle notebook "Simple MNIST NN from
# scratch" to JAX one idea at a time. Nothing here is copied from it.
#
# **You write** `exercises/stage8_haiku_optimized.py`; this notebook
# re-imports it in every cell that uses it.

# %% [markdown]
# ## The maths, with shapes
#
# The model and loss are stage 7's: logits $(m, 10)$ from
# `model.apply(params, X)`, mean cross-entropy. The update is now the
# optimizer's:
#
# ```
# loss, grads = jax.value_and_grad(loss_fn)(params, X, Y)
# updates, opt_state = optimizer.update(grads, opt_state, params)
# params = optax.apply_updates(params, updates)   # p + u for every leaf
# ```
#
# For `optax.sgd(lr)` the update is $u = -\mathrm{lr}\cdot g$: stage 7's step
# exactly. `make_train_step(optimizer)` returns this as one jitted function
# of `(params, opt_state, X, Y)`, so it works for any optimizer, Adam
# included. An **epoch** is one pass over the data: a fresh permutation of
# the $m$ rows, cut into batches of `batch_size` rows $(b, 784)$.

# %% [markdown]
# ## The JAX idea: optimizer state is data too
#
# Nothing is hidden in objects: the optimizer's state is a pytree you pass
# in and get back, like the parameters. That is what lets the whole step,
# optimizer included, be one compiled function.
#
# ## The pitfalls this stage fixes
#
# - **Re-initialising the optimizer state every step**: harmless for plain
#   SGD, silently wrong for Adam, whose moments then never accumulate.
# - **Shuffling with the same key every epoch**: every epoch then sees the
#   same batches in the same order. Derive one key per epoch.
# - **A last, smaller batch** compiles the step once more for its shape;
#   that is fine, but only once per shape.

# %% [markdown]
# ## Train it
#
# Your optimizer and compiled `train_step`, on minibatches of 200 rows,
# reshuffled every epoch. (2 epochs with `KIT_QUICK=1`, 20 otherwise.)

# %%
import jax

with kit.until_implemented(first=True):
    stage = kit.load_stage_file(8)  # re-imported: your latest saved edits count
    (X_train, Y_train), (X_val, Y_val) = kit.load_data("rows")
    batch_size = 200

    optimizer = stage.make_optimizer(0.5)
    train_step = stage.make_train_step(optimizer)
    params = stage.model.init(jax.random.PRNGKey(0), X_train[:1])
    opt_state = optimizer.init(params)
    shuffle_key = jax.random.PRNGKey(1)
    losses = []
    for epoch in kit.progress(range(kit.steps(20, quick_steps=2)), desc="epochs"):
        order = np.asarray(jax.random.permutation(jax.random.fold_in(shuffle_key, epoch), len(Y_train)))
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            params, opt_state, loss = train_step(params, opt_state, X_train[rows], Y_train[rows])
            losses.append(float(loss))

# %%
with kit.until_implemented():
    kit.report_accuracy(stage.evaluate(params, X_train, Y_train),
                        stage.evaluate(params, X_val, Y_val))

# %% [markdown]
# Digits the network has not trained on, with its guesses (wrong ones in
# red), and the loss curve (one point per minibatch):

# %%
with kit.until_implemented():
    split, images, labels = kit.display_split()
    kit.show_digits(images, stage.predict(params, images[:8]), labels[:8], split)
    kit.plot_loss(losses, title="training loss per minibatch")
