"""What the timing tables of the notebooks share: the data, the device's name, waiting for JAX."""
from pathlib import Path

import numpy as np

from autograder.metadata import REPO_ROOT, load_stages

ALPHA = 0.1
INFERENCE_BATCH = 20_000
ROW_STAGES = {3, 5, 6, 7, 8, 9, 10, 11}


def jax_key(seed=0):
    import jax

    return jax.random.PRNGKey(seed)


def ready(value):
    """Wait for JAX's asynchronous dispatch to finish before reading the clock."""
    try:
        import jax

        return jax.block_until_ready(value)
    except (ImportError, TypeError):
        return value


def stage_data(number):
    from autograder.data import load_mnist

    layout = "rows" if number in ROW_STAGES else "columns"
    X, Y = load_mnist("train", layout=layout)
    rows = load_mnist("train", layout="rows")[0]
    big = np.resize(rows, (INFERENCE_BATCH, rows.shape[1]))
    return X, Y, (big if layout == "rows" else np.ascontiguousarray(big.T))


def first_available(number, folder, run):
    """(run(module), source): `run` on the stage file in `folder`, or on the reference when
    that file is not finished yet (it raises NotImplementedError); source says which ran."""
    from autograder.learner.stage_file import load_stage_file

    for candidate, label in ((folder, "your file"), (REPO_ROOT / "solutions", "the reference")):
        try:
            result = run(load_stage_file(number, candidate))
        except NotImplementedError:
            continue
        return result, f"{label}, {Path(candidate).name}/{load_stages()[number].file}"
    raise RuntimeError(f"stage {number} has no implementation to time")


def measured_on(cpu_only=()):
    """Where a timing table's numbers were measured, in words: the device JAX runs on, and
    the CPU for the rows named in `cpu_only` (NumPy, onnxruntime) when JAX runs elsewhere."""
    device = device_name()
    if device == "cpu" or not cpu_only:
        return device
    return f"{device} for JAX, the CPU for {' and '.join(cpu_only)}"


def device_name():
    """The device JAX runs on: its platform, and its kind where that says more ("gpu (NVIDIA
    H100 80GB HBM3)"); "cpu" when JAX cannot say."""
    try:
        import jax

        device = jax.devices()[0]
        kind = device.device_kind
        return device.platform if kind.lower() == device.platform else f"{device.platform} ({kind})"
    except Exception:  # noqa: BLE001 - timing must not fail for lack of a device name
        return "cpu"
