"""fit, followed step by step, and trained on MNIST (stages 8 and 9).

While fit runs, a probe wraps the train step it must call and records which
rows of X each step received (every row of the test X is distinct): the
checks here tell a full batch from minibatches and a fresh shuffle from a
discarded one; each stage replays the same steps with its reference. The
two training checks are shared too: each stage says how to measure its fit.
"""
import numpy as np

from autograder.grading.failures import CheckFailed

FIT_M, FIT_N_IN = 10, 3
FIT_BATCH = 4  # 10 rows -> batches of 4, 4 and 2
FIT_LEARNING_RATE = 0.3


def fit_problem(ctx):
    """10 distinct rows of 3 features and labels below 10."""
    rng = np.random.default_rng(ctx.fixed_seed(12))
    X = rng.uniform(-1, 1, (FIT_M, FIT_N_IN)).astype(ctx.dtype)
    Y = rng.integers(0, 10, FIT_M).astype(np.int32)
    return X, Y


def expect_recorded_steps(record, never_called, advice):
    """Fail unless fit called the followed step, on unchanged rows of X with their own labels.

    `never_called` and `advice`: what to say when fit made no step that the probe saw.
    """
    if not record["calls"]:
        raise CheckFailed(never_called, advice=advice)
    bad = [c for c in record["calls"] if min(c["rows"], default=-1) < 0]
    if bad:
        raise CheckFailed("fit gave train_step rows that are not rows of X",
                          advice="pass X[rows] and Y[rows] as they are; do not transform the data")
    if not all(c["labels_follow"] for c in record["calls"]):
        raise CheckFailed("fit shuffled X and Y differently: a batch's labels are not its "
                          "rows' labels",
                          advice="index X and Y with the same permutation: X[rows], Y[rows]")


def epochs_of(calls, epochs):
    """Split the calls into `epochs` equal groups (fails unless they divide evenly)."""
    if len(calls) % epochs:
        raise CheckFailed(f"fit made {len(calls)} steps in {epochs} epochs, not the same number "
                          "each epoch")
    per = len(calls) // epochs
    return [calls[i * per:(i + 1) * per] for i in range(epochs)]


def orders(calls, epochs):
    """The order in which each epoch visited the rows."""
    return [tuple(r for c in epoch for r in c["rows"]) for epoch in epochs_of(calls, epochs)]


def expect_full_batch(calls, epochs):
    """One step per epoch, each on every row once."""
    if len(calls) != epochs:
        raise CheckFailed(f"fit(epochs={epochs}, batch_size=None) made {len(calls)} steps, "
                          f"expected {epochs}",
                          advice="without batch_size, an epoch is one full-batch step")
    for number, call in enumerate(calls, start=1):
        if sorted(call["rows"]) != list(range(FIT_M)):
            raise CheckFailed(f"step {number} of a full-batch fit saw {len(call['rows'])} rows, "
                              f"not each of the {FIT_M} rows once")


def expect_minibatches(calls, epochs):
    """Each epoch cut into consecutive batches of FIT_BATCH rows (the last one shorter)."""
    sizes = [len(c["rows"]) for c in calls]
    expected_sizes = [4, 4, 2] * epochs
    if sizes == [FIT_M] * epochs:
        raise CheckFailed(f"fit(batch_size={FIT_BATCH}) made one step of all {FIT_M} rows per "
                          "epoch: batch_size is ignored")
    if sizes == [4, 4] * epochs:
        raise CheckFailed(f"each epoch sees only 8 of the {FIT_M} rows: the last, shorter batch "
                          "is dropped", advice="range(0, m, batch_size) gives the start of every batch, "
                          "the last one included")
    if sizes != expected_sizes:
        raise CheckFailed(f"fit({FIT_M} rows, batch_size={FIT_BATCH}, epochs={epochs}) made "
                          f"batches of sizes {sizes}, expected {expected_sizes}")
    for number, epoch in enumerate(epochs_of(calls, epochs), start=1):
        rows = sorted(r for c in epoch for r in c["rows"])
        if rows != list(range(FIT_M)):
            raise CheckFailed(f"epoch {number} did not see every row exactly once",
                              f"rows seen: {rows}")


def expect_fresh_shuffles(calls, epochs):
    """Every epoch in a new order of the rows, and not the data's own order."""
    visited = orders(calls, epochs)
    identity = tuple(range(FIT_M))
    if all(order == identity for order in visited):
        raise CheckFailed("every epoch takes the rows in their original order: the shuffle is "
                          "missing or its result is thrown away",
                          advice="index with the permutation: rows = perm[start:start + batch_size], "
                          "then X[rows], Y[rows]")
    if len(set(visited)) < len(visited):
        raise CheckFailed("two epochs used the same order of rows",
                          advice="draw a new permutation each epoch from a key of its own "
                          "(jax.random.fold_in(key, epoch) or split the key)")


# ------------------------------------------------------------ training on MNIST

def batch_order_checks(fit_record):
    """The stage's check_fit_full_batch, check_fit_minibatches and check_fit_shuffles_each_epoch.

    `fit_record(ctx, seed, epochs, batch_size)`: what the learner's fit fed
    its train step, recorded by the stage's probe.
    """
    epochs = 3

    def check_fit_full_batch(ctx):
        """Check that fit with batch_size=None makes one step per epoch on all the rows."""
        expect_full_batch(fit_record(ctx, 0, epochs, None)["calls"], epochs)

    def check_fit_minibatches(ctx):
        """Check that each epoch cuts the rows into batches of batch_size, every row once."""
        expect_minibatches(fit_record(ctx, 0, epochs, FIT_BATCH)["calls"], epochs)

    def check_fit_shuffles_each_epoch(ctx):
        """Check that every epoch uses a fresh permutation, and that the shuffle is really used."""
        expect_fresh_shuffles(fit_record(ctx, 0, epochs, FIT_BATCH)["calls"], epochs)

    return check_fit_full_batch, check_fit_minibatches, check_fit_shuffles_each_epoch


def training_checks(fit_accuracy):
    """The stage's check_training_accuracy and check_training_minibatches.

    `fit_accuracy(ctx, X, Y, X_val, Y_val, **settings)`: the validation
    accuracy of the learner's fit(X, Y, **settings), measured in the grader.
    """
    def check_training_accuracy(ctx):
        """Check that full-batch fit trains on the bundled MNIST subset past a calibrated floor."""
        s = ctx.stage.training
        (X, Y), (X_val, Y_val) = _mnist()
        reached = fit_accuracy(ctx, X, Y, X_val, Y_val, learning_rate=s["learning_rate"],
                               epochs=s["epochs"])
        if not reached >= s["floor"]:
            raise CheckFailed(
                f"validation accuracy {reached:.3f} after fit(learning_rate={s['learning_rate']}, "
                f"epochs={s['epochs']}), below the floor {s['floor']}",
                advice="the floor is what the reference reaches on every seed, with a margin")

    def check_training_minibatches(ctx):
        """Check that minibatches learn more than full batches in the same number of epochs."""
        s = ctx.stage.training
        (X, Y), (X_val, Y_val) = _mnist()
        settings = {"learning_rate": s["learning_rate"], "epochs": s["minibatch_epochs"]}
        full = fit_accuracy(ctx, X, Y, X_val, Y_val, **settings)
        mini = fit_accuracy(ctx, X, Y, X_val, Y_val, batch_size=s["batch_size"], **settings)
        if not mini >= full + s["minibatch_margin"]:
            raise CheckFailed(
                f"after {settings['epochs']} epochs, batches of {s['batch_size']} reach validation "
                f"accuracy {mini:.3f} and the full batch {full:.3f}",
                f"minibatches take {len(X) // s['batch_size']} steps per epoch instead of one, so "
                f"they should be ahead by at least {s['minibatch_margin']}")

    return check_training_accuracy, check_training_minibatches


def _mnist():
    from autograder.data import load_mnist

    return load_mnist("train", layout="rows"), load_mnist("validation", layout="rows")
