# %% [markdown] tags=["intro"]
# # Stage 10: data parallel over a device mesh
#
# The tutorial this kit follows sells JAX on models that are "easy to scale
# up" to many GPUs or TPUs, and never lets you try. This stage does: the same
# network and the same training step, run on eight devices at once. Each
# device takes its own slice of the batch, computes the gradient on those
# rows, and the devices agree on the average before anyone moves the
# weights.
#
# You do not need eight GPUs. JAX can split this computer's CPU into
# *simulated* devices, which behave like real ones (each holds its own
# arrays, and they talk through the same collective operations) while
# sharing the same cores.
#
# *Credit:* the kit retells, in its own words, the path of an eight-notebook
# tutorial that ports Samson Zhang's Kaggle notebook "Simple MNIST NN from
# scratch" to JAX one idea at a time; this stage goes one step past its end.
# Nothing here is copied from it.
#
# **You write** `exercises/stage10_sharding.py`; this notebook re-imports it
# in every cell that uses it.

# %% [markdown]
# ## Eight devices on one CPU
#
# JAX decides how many CPU devices it has when it first computes anything,
# so this cell must run before any other JAX code in the notebook (if it
# complains, restart the kernel and run it first).

# %%
kit.simulate_devices(8)

# %% [markdown]
# ## The maths, with shapes
#
# Nothing changes in the network: stage 6's params dict, $X: (m, 784)$,
# logits $(m, 10)$, the mean cross-entropy $L$. What changes is where the
# numbers live. Cut the batch into $n$ blocks of $m/n$ consecutive rows, one
# per device, and call $L_k$ the mean loss of block $k$. Because the blocks
# are the same size,
#
# $$L = \frac{1}{n}\sum_{k=1}^{n} L_k, \qquad
#   \nabla L = \frac{1}{n}\sum_{k=1}^{n} \nabla L_k .$$
#
# So device $k$ needs only its own rows and a full copy of the weights to
# compute $\nabla L_k$, a tensor of the weights' shapes; one **all-reduce**
# (every device sends its gradient, every device receives the sum) and a
# division by $n$ give each device the same $\nabla L$, and the same update.
#
# - a **mesh** names the devices along one axis, here `"data"`;
# - a **sharding** says how an array is laid out on the mesh:
#   `NamedSharding(mesh, P("data"))` splits axis 0 over `"data"` (each
#   device holds $m/n$ rows), `NamedSharding(mesh, P())` splits nothing
#   (every device holds all of it: the array is **replicated**).

# %% [markdown]
# ## The JAX idea: the compiler places the communication
#
# Give `jax.jit` a batch split by rows and replicated params, and it
# compiles ONE program for all the devices: each runs stage 6's step on its
# rows, and the compiler inserts the all-reduce that the maths above asks
# for. `train_step` is stage 6's code, unchanged.
#
# Then you write the same step by hand, from one device's point of view,
# with `jax.shard_map`: inside it `X` is only this device's $m/n$ rows, and
# `jax.lax.pmean(g, "data")` is the all-reduce followed by the division.
# Here lies the trap this stage is about. Inside `shard_map`, JAX tracks
# which values are the same on every device (**invariant**, like the
# replicated params) and which differ (**varying**, like your rows). The
# gradient with respect to an invariant value is, by JAX's rules, already
# summed over the devices. Differentiate the params as they come, then
# `pmean`, and you silently get $n$ times the gradient: right on one
# device, eight times too large on eight. Casting the params to varying
# before differentiating (`jax.lax.pcast(..., to="varying")`) makes each
# device differentiate its own loss only.
#
# ## Which mesh: Auto or Explicit
#
# `jax.sharding.Mesh(devices, ("data",))` gives a mesh whose axis type is
# **Auto**: the compiler chooses how to move data, and stage 6's code runs
# on it as it is. `jax.make_mesh` in this version of JAX defaults to
# **Explicit** axes, where the sharding of every array is part of its type
# and JAX refuses any operation whose result's sharding it cannot tell: stage
# 6's `log_probs[jnp.arange(m), Y]` on a split batch is one. Explicit axes
# are a good tool when you want to control every layout of a large model;
# this stage wants the opposite lesson, that the compiler can do it, so the
# kit's reference uses Auto. The checks accept either.
#
# ## The pitfalls this stage fixes
#
# - **Summing where the maths averages**: `psum` without dividing, or the
#   invariant-params trap above. The checks run your step on 1, 2 and 8
#   devices: a result that grows with the device count is wrong.
# - **Splitting the wrong axis**, the features instead of the examples, or
#   splitting the params like the batch.
# - **Params on one device**: fresh from `init_params` they live on device
#   0; replicate them before training.
# - **Queueing steps without waiting.** With eight simulated devices on a
#   few cores, a hundred steps dispatched at once can deadlock XLA's
#   all-reduce, which then aborts the Python process. Wait for each step's
#   result (`jax.block_until_ready`, or `float(loss)`) before the next.

# %% [markdown]
# ## Where the rows go
#
# Your `make_mesh`, `shard_batch` and `replicate` on the training set: each
# bar is what one device holds.

# %%
import jax

with kit.until_implemented(first=True):
    stage = kit.load_stage_file(10)  # re-imported: your latest saved edits count
    (X_train, Y_train), (X_val, Y_val) = kit.load_data("rows")
    mesh = stage.make_mesh()
    X, Y = stage.shard_batch(mesh, X_train, Y_train)
    params = stage.replicate(mesh, stage.init_params(jax.random.PRNGKey(0), X_train.shape[1]))
    print(mesh)
    kit.show_sharding({"X": X, "Y": Y, "W1 (replicated)": params["W1"]})

# %% [markdown]
# ## Train it
#
# Your `train_step` on the whole training set, split over every device,
# recording the loss it returns. (20 steps with `KIT_QUICK=1`.)

# %%
with kit.until_implemented():
    losses = []
    for step in kit.progress(range(kit.steps(200)), desc="train_step"):
        params, loss = stage.train_step(params, X, Y, 0.5)
        losses.append(float(loss))  # float() waits for the step to finish


def predict(params, X):
    """Classes from the trained params, in NumPy: the params come back whole on every device."""
    p = {name: np.asarray(leaf) for name, leaf in params.items()}
    return np.argmax(np.maximum(X @ p["W1"].T + p["b1"], 0) @ p["W2"].T + p["b2"], axis=1)


# %%
with kit.until_implemented():
    kit.report_accuracy(np.mean(predict(params, X_train) == Y_train),
                        np.mean(predict(params, X_val) == Y_val))

# %% [markdown]
# Digits the network has not trained on, with its guesses (wrong ones in
# red), and the loss curve:

# %%
with kit.until_implemented():
    split, images, labels = kit.display_split()
    kit.show_digits(images, predict(params, images[:8]), labels[:8], split)
    kit.plot_loss(losses)

# %% [markdown]
# ## See the all-reduce
#
# The program `jax.jit` compiled for your `train_step` is plain text; the
# lines that move data between devices name their operation.

# %%
with kit.until_implemented():
    program = stage.train_step.lower(params, X, Y, 0.5).compile().as_text()
    reduces = [line.strip() for line in program.splitlines() if " all-reduce(" in line]
    print(f"{len(reduces)} all-reduce operations in the compiled train_step, the first:")
    print(reduces[0][:160] if reduces else "(none)")

# %% [markdown]
# ## The same step, written per device
#
# Your `make_shard_map_step` against your `train_step`, from the same
# params, on 1, 2 and 8 devices: the two should agree to float32 rounding,
# whatever the number of devices.

# %%
with kit.until_implemented():
    start = stage.init_params(jax.random.PRNGKey(1), X_train.shape[1])
    for n in (1, 2, 8):
        if n > len(jax.devices()):
            continue
        mesh_n = stage.make_mesh(jax.devices()[:n])
        X_n, Y_n = stage.shard_batch(mesh_n, X_train, Y_train)
        start_n = stage.replicate(mesh_n, start)
        by_jit, loss_jit = stage.train_step(start_n, X_n, Y_n, 0.5)
        by_hand, loss_hand = stage.make_shard_map_step(mesh_n)(start_n, X_n, Y_n, 0.5)
        gap = max(float(np.abs(np.asarray(by_jit[k]) - np.asarray(by_hand[k])).max())
                  for k in by_jit)
        print(f"{n} device(s): loss {float(loss_jit):.6f} by jit, {float(loss_hand):.6f} by "
              f"shard_map; largest gap in the new params {gap:.1e}")

# %% [markdown] tags=["timing"]
# ## How fast is it?
#
# Your `train_step` on the training set, the batch split over 1, 2 and 8
# devices: the time of the first step (it includes compiling) and of later
# steps. These are the numbers of *this* machine, measured now. On a CPU the
# devices are simulated and share the same cores: more devices add no
# compute, and whatever changes comes from how XLA spreads the work over
# those cores and from the all-reduce. This stage teaches the mechanics, not
# a speed-up. On a machine with several GPUs or TPUs, `jax.devices()` lists
# them and the same code runs unchanged, each device on its own rows.
# Unfinished stage files are replaced by the reference, and the table says so.
