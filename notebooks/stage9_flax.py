# %% [markdown] tags=["intro"]
# # Stage 9: the network in Flax NNX
#
# Haiku, the library of stages 7 and 8, is in maintenance mode; Flax is where
# JAX users build networks today, and its current API is called NNX. An NNX
# module is an ordinary Python object that holds its own parameters: you
# build it once, call it, and train it in place, while `nnx.jit` still
# compiles every step into one program. When you need plain JAX again,
# `nnx.split` takes the object apart into a structure and a pytree of arrays,
# and `nnx.merge` puts it back together.
#
# *Credit:* the kit retells, in its own words, the path of a tutorial that
# ports Samson Zhang's Kaggle notebook "Simple MNIST NN from scratch" to JAX
# one idea at a time; its ninth notebook moves the network to Flax. Nothing
# here is copied from it.
#
# **You write** `exercises/stage9_flax.py`; this notebook re-imports it in
# every cell that uses it.

# %% [markdown]
# ## The maths, with shapes
#
# The network has not changed: rows are examples, $X: (m, 784)$, and
# `MLP(784, 10, 10, rngs=nnx.Rngs(seed))` holds two `nnx.Linear` layers, each
# computing $x \cdot \mathrm{kernel} + \mathrm{bias}$ with kernels $(784, 10)$
# and $(10, 10)$, Haiku's layout. `model(X)` gives logits $(m, 10)$, and
# `loss_fn(model, X, Y)` their mean cross-entropy.
#
# The layers exist from the moment the module is built, so each one must be
# told its input size, and draws its weights at once from `rngs`: Flax's
# default is a normal of standard deviation $1/\sqrt{n_\text{in}}$ for the
# kernel (LeCun's initialisation, about $0.036$ for 784 inputs) and zeros for
# the bias. The uniform $[-0.5, 0.5)$ of stages 1-6 has a spread of $0.29$:
# eight times too wide for 784 inputs.
#
# A step is stage 8's, written on objects:
#
# ```
# loss, grads = nnx.value_and_grad(loss_fn)(model, X, Y)  # grads: shaped like the params
# optimizer.update(model, grads)    # new params into the model, new state into the optimizer
# ```

# %% [markdown]
# ## The JAX idea: objects in, arrays through the compiler, objects out
#
# Haiku kept JAX's rule that everything is a pure function: `hk.transform`
# turned your module into `init` and `apply`, and you carried `params` and
# `opt_state` through every step yourself. NNX keeps them inside objects:
# `model.hidden.kernel` *is* the parameter, and `nnx.Optimizer` keeps
# Optax's state for you.
#
# How does that survive compilation, where JAX only sees arrays? `nnx.jit`
# takes the objects you pass apart into arrays, runs the compiled program on
# those, and writes the arrays the program changed back into your objects.
# `jax.jit` does not know about the objects: it traces copies of their
# arrays, and whatever the step changed is thrown away when the call
# returns, without an error. A second call with the same objects and shapes
# reuses the compiled program; a *new* optimizer object makes `nnx.jit`
# trace again.
#
# The bridge back to pure functions is `graphdef, state = nnx.split(model)`:
# `graphdef` is the static structure (which layers, which sizes), `state`
# a pytree of arrays. `nnx.merge(graphdef, state)` rebuilds a module, so
# `pure_forward(graphdef, state, X)` is a function of arrays that `jax.jit`,
# `jax.vmap` and `jax.grad` accept like any function of stages 3-6.
#
# ## The pitfalls this stage fixes
#
# - **Haiku habits**: creating the layers in `__call__` (an NNX module then
#   holds no parameters, and draws new ones every call), or returning new
#   parameters from the step instead of updating the model.
# - **`jax.jit` around a step that changes objects**: the model silently
#   stays as it was. Use `nnx.jit`.
# - **Training a copy**: `nnx.clone(model)` inside the step, or a second
#   model, trains something you then throw away.
# - **A new optimizer every epoch**: harmless for SGD's numbers, but Adam
#   forgets its moments, and every new optimizer costs a new trace.

# %% [markdown]
# ## Train it
#
# Your `MLP`, optimizer and compiled `train_step`, on minibatches of 200
# rows reshuffled every epoch, recording the loss each step returns.
# (2 epochs with `KIT_QUICK=1`, 20 otherwise.)

# %%
import jax
from flax import nnx

with kit.until_implemented(first=True):
    stage = kit.load_stage_file(9)  # re-imported: your latest saved edits count
    (X_train, Y_train), (X_val, Y_val) = kit.load_data("rows")
    batch_size = 200

    rngs = nnx.Rngs(0)
    model = stage.MLP(X_train.shape[1], rngs=rngs)
    optimizer = stage.make_optimizer(model, 0.5)
    X_device, Y_device = jax.numpy.asarray(X_train), jax.numpy.asarray(Y_train)  # copied once
    losses = []
    for epoch in kit.progress(range(kit.steps(20, quick_steps=2)), desc="epochs"):
        order = jax.random.permutation(rngs(), len(Y_train))
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            losses.append(float(stage.train_step(model, optimizer, X_device[rows], Y_device[rows])))

# %%
with kit.until_implemented():
    kit.report_accuracy(stage.evaluate(model, X_train, Y_train),
                        stage.evaluate(model, X_val, Y_val))

# %% [markdown]
# Digits the network has not trained on, with its guesses (wrong ones in
# red), and the loss curve (one point per minibatch):

# %%
with kit.until_implemented():
    split, images, labels = kit.display_split()
    kit.show_digits(images, stage.predict(model, images[:8]), labels[:8], split)
    kit.plot_loss(losses, title="training loss per minibatch")

# %% [markdown]
# ## Back to pure JAX
#
# The trained model, taken apart with your `split_model`: the state is a
# pytree of plain arrays, and your `pure_forward` is an ordinary function of
# them, so `jax.jit` compiles it (the graphdef is static: it is structure,
# not data) and `jax.vmap` maps it over a stack of batches.

# %%
with kit.until_implemented():
    graphdef, state = stage.split_model(model)
    print(jax.tree_util.tree_map(jax.numpy.shape, nnx.to_pure_dict(state)))
    compiled = jax.jit(stage.pure_forward, static_argnums=0)
    per_batch = jax.vmap(stage.pure_forward, in_axes=(None, None, 0))
    stacked = X_val[:400].reshape(4, 100, -1)  # 4 batches of 100 rows
    agree = (jax.numpy.argmax(per_batch(graphdef, state, stacked), axis=-1).reshape(-1)
             == stage.predict(model, X_val[:400]))
    print(f"jax.vmap of pure_forward agrees with predict on {int(agree.sum())} of "
          f"{agree.size} rows; jax.jit of it gives logits of shape "
          f"{compiled(graphdef, state, X_val).shape}")
