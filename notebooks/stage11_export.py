# %% [markdown] tags=["intro"]
# # Stage 11: ship it, the trained network outside Python and JAX
#
# Ten stages built and trained the network; this one hands it over. A
# trained model is only useful where it runs: a web server, a phone, a
# colleague's C++ program, a GPU machine you never log into. None of them
# should need this notebook, this file, or even Python. You export the
# trained `predict` twice:
#
# - with **`jax.export`**: the jitted function, weights included, becomes
#   serialized StableHLO (the compiler's input language), bytes that
#   `jax.export.deserialize` turns back into a callable in another process,
#   on a CPU or a GPU, for any batch size;
# - to **ONNX** with `jax2onnx`: a file of standard operations (matrix
#   products, ReLU, softmax) that `onnxruntime` runs without JAX at all, and
#   that many other runtimes read too.
#
# *Credit:* the kit retells, in its own words, the path of a tutorial that
# ports Samson Zhang's Kaggle notebook "Simple MNIST NN from scratch" to JAX
# one idea at a time; its case for JAX ends with the promise that a JAX model
# can be exported and run elsewhere. This stage keeps that promise. Nothing
# here is copied from it.
#
# **You write** `exercises/stage11_export.py`; this notebook re-imports it in
# every cell that uses it.

# %% [markdown]
# ## What crosses the border, with shapes
#
# The network is stage 6's: a params dict `W1 (10, 784)`, `b1 (10,)`,
# `W2 (10, 10)`, `b2 (10,)`, and `predict(params, X)` maps a batch
# $X: (m, 784)$ to classes $(m,)$.
#
# An exported program is a function of $X$ **alone**. The params are
# closed over when you export, so they become constants inside the program:
#
# ```
# f(X) = predict(params, X)          params frozen in
# X : float32 (b, 784)  ->  classes : int32 (b,)
# ```
#
# The batch size is the one thing left open. `jax.export.symbolic_shape("b")`
# gives a dimension called `b` that stays a symbol in the program (printed as
# `?` in StableHLO), so one export serves a batch of 1 and a batch of 10,000.
# The ONNX file says the same with a named dimension: input `(b, 784)`,
# output `(b, 10)` of class probabilities, the softmax included, so that
# whoever runs it gets probabilities, not raw scores.

# %% [markdown]
# ## The JAX idea: tracing makes a program you can keep
#
# `jax.jit` already traces your Python into a program and compiles it;
# `jax.export` stops halfway and keeps the program. What is kept is exactly
# what tracing saw: array operations and constants. The Python that made
# them, your file, your globals, the loop around them, is gone. That is
# the point (the program needs nothing of yours), and also the test: if
# something you need is not in the trace, it is not in the program.
#
# Lowering targets platforms by name, and lowering for `"cuda"` needs no
# GPU, so a program exported for `("cpu", "cuda")` on a laptop runs on
# either kind of machine.
#
# ## The pitfalls this stage fixes
#
# - **A fixed batch size**: exporting for the shape of one example batch
#   gives a program that refuses every other batch size.
# - **Params as inputs**: exporting `predict` itself makes the weights
#   arguments of the program, so whoever loads it needs them too.
# - **Calling home**: a `load_predict` that ignores its bytes and calls your
#   own `predict` works in this notebook and nowhere else. The grader hands
#   it a program of its own, made from params your code never saw.
# - **Logits in the ONNX file**, or a softmax over the wrong axis (the
#   batch): the file must give each row's class probabilities.
# - **A hard-coded input name**: every ONNX file names its input; ask the
#   session for it instead of assuming the one your own file happened to get.

# %% [markdown]
# ## Train a network to ship
#
# Stage 11 has no training function of its own, so this cell trains stage
# 6's network in a few lines: gradient descent on the mean cross-entropy,
# the whole step jitted. (20 steps with `KIT_QUICK=1`.)

# %%
import jax
import jax.numpy as jnp

with kit.until_implemented(first=True):
    stage = kit.load_stage_file(11)  # re-imported: your latest saved edits count
    (X_train, Y_train), (X_val, Y_val) = kit.load_data("rows")
    alpha = 0.5

    def mean_cross_entropy(params, X, Y):
        hidden = jax.nn.relu(X @ params["W1"].T + params["b1"])
        log_probs = jax.nn.log_softmax(hidden @ params["W2"].T + params["b2"])
        return -log_probs[jnp.arange(len(Y)), Y].mean()

    @jax.jit
    def gradient_step(params, X, Y):
        loss, grads = jax.value_and_grad(mean_cross_entropy)(params, X, Y)
        return jax.tree_util.tree_map(lambda p, g: p - alpha * g, params, grads), loss

    keys = jax.random.split(jax.random.PRNGKey(0), 4)
    shapes = {"W1": (10, X_train.shape[1]), "b1": (10,), "W2": (10, 10), "b2": (10,)}
    params = {name: jax.random.uniform(key, shape, minval=-0.5, maxval=0.5)
              for key, (name, shape) in zip(keys, shapes.items())}
    losses = []
    for step in kit.progress(range(kit.steps(500)), desc="training"):
        params, loss = gradient_step(params, X_train, Y_train)
        losses.append(float(loss))

# %% [markdown]
# Your `predict` on the trained params:

# %%
with kit.until_implemented():
    kit.report_accuracy(np.mean(stage.predict(params, X_train) == Y_train),
                        np.mean(stage.predict(params, X_val) == Y_val))

# %% [markdown]
# ## Export it, twice
#
# Both artifacts go into a folder of their own. The blob holds the program
# and its 7,960 weights (31 KB of float32); the ONNX file holds the same
# weights and a small graph. The first `export_onnx` in a session takes
# 10-20 s: jax2onnx loads all its converters once.
#
# The blob's entry point, printed below, shows the symbolic batch as `?`
# (`tensor<?x784xf32>` in, `tensor<?xi32>` out). Its first argument is not
# yours: a program lowered for two platforms receives the index of the one
# it runs on, and `call` supplies it.

# %%
import tempfile
from pathlib import Path

from jax import export

with kit.until_implemented():
    shipped = Path(tempfile.mkdtemp(prefix="stage11-"))
    blob = stage.export_predict(params)
    (shipped / "predict.jaxexport").write_bytes(blob)
    stage.export_onnx(params, str(shipped / "predict.onnx"))
    onnx_path = str(shipped / "predict.onnx")  # defined once the file is written
    weights = sum(np.asarray(p).nbytes for p in params.values())
    print(f"params as float32 arrays: {weights / 1024:5.1f} KB")
    for path in sorted(shipped.iterdir()):
        print(f"{path.name:<20} {path.stat().st_size / 1024:5.1f} KB")

    exported = export.deserialize(blob)
    print(f"\nthe blob's program: {exported.in_avals[0]} -> {exported.out_avals[0]}, "
          f"platforms {exported.platforms}")
    stablehlo = exported.mlir_module().splitlines()
    main = next(line for line in stablehlo if "func.func public @main" in line)
    print("its StableHLO entry point:\n ", main.strip().replace(" loc(unknown)", ""))

# %% [markdown]
# What is inside the ONNX file: each box is one standard operation, in the
# order onnxruntime runs them (`Gemm` is a general matrix product), and the
# weights ride along as constants.

# %%
import matplotlib.pyplot as plt
import onnx

with kit.until_implemented():
    graph = onnx.load(onnx_path).graph
    operations = [node.op_type for node in graph.node]
    boxes = [f"input\n{graph.input[0].name}", *operations, "output\n(b, 10)"]
    fig, ax = plt.subplots(figsize=(1.2 * len(boxes), 1.1))
    for i, text in enumerate(boxes):
        inside = 0 < i < len(boxes) - 1
        ax.text(i, 0, text, ha="center", va="center", fontsize=9,
                bbox={"boxstyle": "round", "facecolor": "#dde8f5" if inside else "white"})
        if i:
            ax.annotate("", xy=(i - 0.42, 0), xytext=(i - 0.58, 0), arrowprops={"arrowstyle": "->"})
    ax.set_xlim(-0.6, len(boxes) - 0.4)
    ax.set_ylim(-0.5, 0.5)
    ax.axis("off")
    stored = sum(int(np.prod(w.dims)) for w in graph.initializer)
    ax.set_title(f"predict.onnx: {len(graph.node)} operations, {stored:,} numbers stored as "
                 "constants (the weights and a few more)", fontsize=10)
    plt.show()

# %% [markdown]
# ## Run them without this file
#
# The real test of an export: a fresh Python process that imports neither
# your stage file nor the kit, only `jax`, `onnxruntime` and NumPy, loads
# both artifacts and predicts the validation digits. Your own
# `load_predict` and `onnx_predict` then do the same here, and all four
# answers are compared.

# %%
import subprocess
import sys

ELSEWHERE = """
import sys
import numpy as np
import onnxruntime
from jax import export

folder = sys.argv[1]
X = np.load(folder + "/X_val.npy")
with open(folder + "/predict.jaxexport", "rb") as f:
    classes = np.asarray(export.deserialize(f.read()).call(X))
session = onnxruntime.InferenceSession(folder + "/predict.onnx")
probabilities = session.run(None, {session.get_inputs()[0].name: X})[0]
np.save(folder + "/from_blob.npy", classes)
np.save(folder + "/from_onnx.npy", probabilities.argmax(axis=1))
print(f"a fresh process predicted {len(X)} digits from each file")
"""

with kit.until_implemented():
    answers = {
        "predict (this process)": np.asarray(stage.predict(params, X_val)),
        "load_predict": np.asarray(stage.load_predict(blob)(X_val)),
        "onnx_predict": np.asarray(stage.onnx_predict(onnx_path, X_val)),
    }
    np.save(shipped / "X_val.npy", X_val)
    done = subprocess.run([sys.executable, "-c", ELSEWHERE, str(shipped)],
                          capture_output=True, text=True, cwd=shipped)
    print(done.stdout.strip() if done.returncode == 0 else done.stderr.strip()[-2000:])
    if done.returncode == 0:
        answers["blob, fresh process"] = np.load(shipped / "from_blob.npy")
        answers["ONNX, fresh process"] = np.load(shipped / "from_onnx.npy")
    for name, classes in answers.items():
        agree = np.mean(classes == answers["predict (this process)"])
        print(f"{name:<24} validation accuracy {np.mean(classes == Y_val):.3f}, "
              f"agrees with predict on {agree:.1%} of the digits")

# %% [markdown]
# Digits the network has not trained on, labelled by onnxruntime from the
# ONNX file (wrong ones in red), and the loss curve of the training above:

# %%
with kit.until_implemented():
    split, images, labels = kit.display_split()
    kit.show_digits(images, stage.onnx_predict(onnx_path, images[:8]), labels[:8], split)
    kit.plot_loss(losses)

# %% [markdown] tags=["timing"]
# ## How fast is it?
#
# Stage 11 trains nothing, so instead of training steps it times what the
# stage is about: one inference batch of 20,000 digits through your three
# ways to predict (the jitted `predict`, the program `load_predict` rebuilt
# from the blob, and `onnx_predict` with onnxruntime), on the same params.
# These are the numbers of *your* machine, measured now; the first call of
# a JAX function includes its compilation and is shown apart. Unfinished
# stage files are replaced by the reference, and the table says so.
