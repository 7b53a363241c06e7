"""What the learner notebooks call: load the stage file, the data, train, plot, check.

The notebooks in exercises/ are generated from notebooks/*.py; the code the
learner writes lives in the stage file next to them (exercises/stageN_*.py),
which `load_stage_file` imports afresh each time, so edits are picked up
without restarting the kernel. Set KIT_IMPL_DIR to load the stage file from
another folder (CI points it at solutions/), and KIT_QUICK=1 for a short run.
"""
import sys
from pathlib import Path

import numpy as np

from autograder.learner.stage_file import (  # noqa: F401 - load_stage_file, steps: for the notebooks
    impl_dir,
    load_stage_file,
    quick,
    stage_info,
    steps,
)
from autograder.metadata import load_stages

DIGITS_SHOWN = 8


def describe(number):
    """One paragraph saying which file and which data this notebook uses."""
    from autograder.data import dataset_description

    stage = stage_info(number)
    mode = " KIT_QUICK=1: a short run." if quick() else ""
    print(f"Stage {number}: {stage.title}. Your code: {impl_dir() / stage.file}\n"
          f"Data: {dataset_description()}.{mode}")


def load_data(layout):
    """Train and validation (X, Y) in `layout` ("rows" or "columns"), float32 in [0, 1]."""
    from autograder.data import load_mnist

    return load_mnist("train", layout=layout), load_mnist("validation", layout=layout)


def display_split():
    """(name, images (m, 784), labels) of the digits to show: test when present, else validation."""
    from autograder.data import load_mnist

    try:
        X, Y = load_mnist("test", layout="rows")
        return "test", X, Y
    except ValueError:
        print("The bundled subset has no test split: these digits come from the validation split.")
        X, Y = load_mnist("validation", layout="rows")
        return "validation", X, Y


def progress(iterable, **kwargs):
    """A text progress bar: it updates in place while it runs and is still readable once saved.

    tqdm's widget bar (tqdm.auto in Jupyter) would be saved as a frozen "0%"
    placeholder, because notebooks do not keep widget state.
    """
    from tqdm.std import tqdm

    kwargs.setdefault("file", sys.stdout)
    kwargs.setdefault("ncols", 80)
    kwargs.setdefault("mininterval", 0.5)
    return tqdm(iterable, **kwargs)


def cross_entropy(probabilities, Y, axis):
    """Mean cross-entropy of the true labels, probabilities laid out along `axis`."""
    P = np.asarray(probabilities, dtype=np.float64)
    if axis == 0:
        P = P.T
    picked = P[np.arange(len(Y)), np.asarray(Y)]
    return float(-np.mean(np.log(np.clip(picked, 1e-12, None))))


def cross_entropy_from_logits(logits, Y):
    """Mean cross-entropy from (m, n_out) logits, computed stably."""
    Z = np.asarray(logits, dtype=np.float64)
    Z = Z - Z.max(axis=1, keepdims=True)
    log_probs = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    return float(-np.mean(log_probs[np.arange(len(Y)), np.asarray(Y)]))


def report_accuracy(train_accuracy, validation_accuracy):
    print(f"train accuracy      {float(train_accuracy):.3f}\n"
          f"validation accuracy {float(validation_accuracy):.3f}")


def plot_loss(losses, title="training loss"):
    """The loss curve, one point per recorded step."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(np.arange(len(losses)), losses)
    ax.set_xlabel("step")
    ax.set_ylabel("mean cross-entropy")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    plt.show()


def show_digits(images, predicted, labels, split="test", count=DIGITS_SHOWN):
    """The first `count` digits with predicted and true labels (wrong ones in red)."""
    import matplotlib.pyplot as plt

    predicted, labels = np.asarray(predicted), np.asarray(labels)
    fig, axes = plt.subplots(1, count, figsize=(1.4 * count, 2.1), layout="constrained")
    for i, ax in enumerate(np.atleast_1d(axes)):
        ax.imshow(np.asarray(images[i]).reshape(28, 28), cmap="gray_r")
        right = predicted[i] == labels[i]
        ax.set_title(f"pred {predicted[i]}\ntrue {labels[i]}", fontsize=9,
                     color="black" if right else "red")
        ax.axis("off")
    fig.suptitle(f"{count} {split} digits, never trained on", fontsize=10)
    plt.show()


def simulate_devices(count=8):
    """Give JAX `count` CPU devices (stage 10), then name the devices it sees.

    JAX fixes its CPU devices when it first runs something: this must come
    before any JAX computation in the kernel (else restart the kernel).
    """
    import jax

    try:
        jax.config.update("jax_num_cpu_devices", count)
    except RuntimeError:
        print(f"JAX had already started, with {len(jax.devices('cpu'))} CPU devices: restart the "
              f"kernel and run this cell before any other JAX code to get {count}.")
    devices = jax.devices()
    print(f"JAX sees {len(devices)} {devices[0].platform} devices: "
          + ", ".join(str(d.id) for d in devices))


def show_sharding(arrays, title="which device holds which rows"):
    """One panel per array (name -> jax.Array): the rows each device holds, as filled bars."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(arrays), figsize=(3.2 * len(arrays), 2.6),
                             layout="constrained", squeeze=False)
    for ax, (name, array) in zip(axes[0], arrays.items()):
        rows = array.shape[0] if array.ndim else 1
        devices = sorted(array.sharding.device_set, key=lambda d: d.id)
        position = {device.id: i for i, device in enumerate(devices)}
        for shard in array.addressable_shards:
            start, stop, _ = shard.index[0].indices(rows) if shard.index else (0, 1, 1)
            column = position[shard.device.id]
            ax.bar(column, stop - start, bottom=start, width=0.8, color=f"C{column % 10}")
            ax.text(column, (start + stop) / 2, f"{start}:{stop}", rotation=90, ha="center",
                    va="center", fontsize=7)
        ax.set_xticks(range(len(devices)), [str(d.id) for d in devices])
        ax.set_ylim(rows, 0)
        ax.set_xlabel("device")
        ax.set_ylabel("rows")
        ax.set_title(f"{name} {tuple(array.shape)}", fontsize=9)
    fig.suptitle(title, fontsize=10)
    plt.show()


def run_checks(number, folder=None):
    """Grade the stage file exactly as `make check STAGE=N` does and print the same table."""
    from autograder.feedback import report
    from autograder.grading import engine

    result = engine.grade(number, Path(folder or impl_dir()))
    print(report.format_text(result))
    return result


def compare_timing(number, folder=None):
    """Time this stage against the previous one on the same work (see autograder.learner.timing)."""
    from autograder.learner import timing

    return timing.compare(number, Path(folder or impl_dir()))


class until_implemented:
    """`with kit.until_implemented():` around a demo cell, so that "Run All" reaches the checks.

    A NotImplementedError from the learner's unfinished file becomes a one-line
    note instead of a traceback; the later demo cells that need its results
    then say they were skipped. Any other error is shown as usual.
    """

    unfinished = None  # the note of the last cell stopped by an unfinished function

    def __init__(self, first=False):
        if first:
            until_implemented.unfinished = None

    def __enter__(self):
        return self

    def __exit__(self, kind, error, _traceback):
        if kind is not None and issubclass(kind, NotImplementedError):
            until_implemented.unfinished = str(error) or "a function"
            print(f"Not there yet: {until_implemented.unfinished} raises NotImplementedError. "
                  f"Write it in {_stage_file_named_in(str(error))}, save, and run this cell again.")
            return True
        if kind is not None and issubclass(kind, NameError) and until_implemented.unfinished:
            print(f"Skipped: the training cell above stopped at {until_implemented.unfinished}.")
            return True
        return False


def _stage_file_named_in(message):
    """The stage file an exercise stub's message ("stage N: name") points at."""
    import re

    match = re.match(r"stage (\d+):", message)
    if match and int(match.group(1)) in load_stages():
        return impl_dir() / stage_info(int(match.group(1))).file
    return f"your stage file in {impl_dir()}"
