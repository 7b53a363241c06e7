# %% [markdown] tags=["intro"]
# # Stage 1: a neural network in NumPy, backprop by hand
#
# This stage builds the whole network with nothing but NumPy: 784 pixels in,
# 10 hidden ReLU units, 10 softmax outputs, trained by full-batch gradient
# descent. Every derivative is written out by hand, so that each later stage
# can replace one piece of this machinery with a JAX tool and you can see
# exactly what the tool does for you.
#
# *Credit:* the kit retells, in its own words and with its own code, the path
# of an eight-notebook tutorial that starts from Samson Zhang's Kaggle notebook
# "Simple MNIST NN from scratch (numpy, no TF/Keras)" and ports it to JAX one
# idea at a time. Read the originals too; nothing here is copied from them.
#
# **You write** `exercises/stage1_numpy.py` (open it next to this notebook).
# This notebook imports that file afresh in every cell that uses it, so save
# your edits and re-run a cell: no kernel restart needed.

# %% [markdown]
# ## The maths, with shapes
#
# Column layout: a batch of $m$ images is $X \in \mathbb{R}^{784 \times m}$,
# one image per **column**, and the labels are $Y \in \{0..9\}^m$.
#
# **Forward.**
#
# | quantity | formula | shape |
# | --- | --- | --- |
# | hidden pre-activation | $Z_1 = W_1 X + b_1$ | $(10, m)$, with $W_1: (10, 784)$, $b_1: (10, 1)$ broadcast over columns |
# | hidden activation | $A_1 = \max(Z_1, 0)$ | $(10, m)$ |
# | output logits | $Z_2 = W_2 A_1 + b_2$ | $(10, m)$, with $W_2: (10, 10)$, $b_2: (10, 1)$ |
# | probabilities | $A_2 = \operatorname{softmax}(Z_2)$, column by column | $(10, m)$, each column sums to 1 |
#
# **Loss.** The mean cross-entropy $L = -\frac{1}{m}\sum_i \log A_2[y_i, i]$.
#
# **Backward.** With $T$ the one-hot matrix of the labels, $(10, m)$:
#
# $$dZ_2 = \tfrac{1}{m}(A_2 - T),\quad dW_2 = dZ_2 A_1^\top,\quad db_2 = \textstyle\sum_{\text{columns}} dZ_2$$
# $$dZ_1 = (W_2^\top dZ_2) \odot [Z_1 > 0],\quad dW_1 = dZ_1 X^\top,\quad db_1 = \textstyle\sum_{\text{columns}} dZ_1$$
#
# Every gradient has the shape of its parameter: $db_1$ is $(10, 1)$, one
# number per hidden unit, because a bias is shared by all the examples.
#
# **Update.** $p \leftarrow p - \alpha\, dp$ for each of $W_1, b_1, W_2, b_2$.

# %% [markdown]
# ## The pitfalls this stage fixes
#
# The original notebook works on its data, but several of its habits break as
# soon as the inputs change, and the checks of this stage look for each one:
#
# - **softmax of raw logits.** `np.exp(1000)` is `inf`, and `inf / inf` is
#   `nan`. Subtracting each column's maximum first changes nothing
#   mathematically and keeps every exponent at most $e^0 = 1$.
# - **`m` from a global.** Dividing by the size of the whole training set
#   instead of `X.shape[1]` gives wrong gradients for any other batch.
# - **`one_hot` sized by `Y.max() + 1`.** A batch without a 9 gets 9 rows.
# - **bias gradients summed over everything.** `np.sum(dZ2)` gives every bias
#   the same number; sum over the examples only (`axis=1`).
# - **global randomness.** `np.random.rand` makes runs irreproducible; all
#   randomness here comes from the `rng` argument.

# %% [markdown]
# ## Train it
#
# The loop below is `gradient_descent` written out, so that the loss can be
# recorded at every step. It uses only your functions. (With `KIT_QUICK=1`,
# as in CI, it takes 20 steps instead of 500.)

# %%
with kit.until_implemented(first=True):
    stage = kit.load_stage_file(1)  # re-imported: your latest saved edits count
    (X_train, Y_train), (X_val, Y_val) = kit.load_data("columns")
    X_train, X_val = X_train.astype(np.float64), X_val.astype(np.float64)
    alpha = 0.5

    W1, b1, W2, b2 = stage.init_params(np.random.default_rng(0), X_train.shape[0])
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
# A few digits the network has never trained on, with its guesses (wrong
# ones in red), and the loss curve:

# %%
with kit.until_implemented():
    split, images, labels = kit.display_split()
    kit.show_digits(images, predict(images[:8].T.astype(np.float64)), labels[:8], split)
    kit.plot_loss(losses)
