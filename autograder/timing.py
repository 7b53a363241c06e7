"""Time one stage against the previous one on the same work.

Each stage's functions are driven through the stage's own public API (the
SPEC): the same number of full-batch training steps on the training set, and
one large inference batch. We report what we measure, on the device we ran
on; nothing here is a claim about other machines. The first call of a JAX
function includes its compilation, so it is reported apart.
"""
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder.metadata import REPO_ROOT, load_stages

ALPHA = 0.1
INFERENCE_BATCH = 20_000
ROW_STAGES = {3, 5, 6, 7, 8, 9, 10, 11}


@dataclass
class Workload:
    """A stage's training step and inference, as callables on prepared data."""

    layout: str
    init: object      # () -> state
    step: object      # state -> state
    predict: object   # (state, X) -> predictions


def _key(seed=0):
    import jax

    return jax.random.PRNGKey(seed)


def _column_workload(module, n_in, uses_train_step, numpy=False):
    rng = np.random.default_rng(0) if numpy else _key()

    def init():
        return tuple(module.init_params(rng, n_in))

    def step(state, X, Y):
        if uses_train_step:
            return tuple(module.train_step(*state, X, Y, ALPHA))
        Z1, A1, Z2, A2 = module.forward_prop(*state, X)
        grads = module.backward_prop(Z1, A1, Z2, A2, state[0], state[2], X, Y)
        return tuple(module.update_params(*state, *grads, ALPHA))

    def predict(state, X):
        return module.get_predictions(module.forward_prop(*state, X)[3])

    return Workload("columns", init, step, predict)


def _stage3(module, n_in):
    def step(state, X, Y):
        Z1, A1, Z2, A2 = module.batched_forward(*state, X)
        grads = module.backward_prop(Z1, A1, Z2, A2, state[0], state[2], X, Y)
        return tuple(module.update_params(*state, *grads, ALPHA))

    def predict(state, X):
        return module.get_predictions(module.batched_forward(*state, X)[3])

    return Workload("rows", lambda: tuple(module.init_params(_key(), n_in)), step, predict)


def _stage5(module, n_in):
    def step(state, X, Y):
        return tuple(module.update_params(*state, ALPHA, X, Y))

    def predict(state, X):
        return module.get_predictions(module.batched_forward(*state, X))

    return Workload("rows", lambda: tuple(module.init_params(_key(), n_in)), step, predict)


def _stage6(module, n_in):
    def predict(params, X):
        return module.get_predictions(module.batched_forward(params, X))

    return Workload("rows", lambda: module.init_params(_key(), n_in),
                    lambda params, X, Y: module.train_step(params, X, Y, ALPHA)[0], predict)


def _stage7(module, n_in):
    def init():
        return module.model.init(_key(), np.zeros((1, n_in), np.float32))

    def predict(params, X):
        return module.get_predictions(module.model.apply(params, X))

    return Workload("rows", init, lambda params, X, Y: module.train_step(params, X, Y, ALPHA)[0],
                    predict)


def _stage8(module, n_in):
    optimizer = module.make_optimizer(ALPHA)
    train_step = module.make_train_step(optimizer)

    def init():
        params = module.model.init(_key(), np.zeros((1, n_in), np.float32))
        return params, optimizer.init(params)

    def step(state, X, Y):
        params, opt_state, _loss = train_step(*state, X, Y)
        return params, opt_state

    return Workload("rows", init, step, lambda state, X: module.predict(state[0], X))


def _stage9(module, n_in):
    from flax import nnx

    def init():
        model = module.MLP(n_in, rngs=nnx.Rngs(0))
        return model, module.make_optimizer(model, ALPHA)

    def step(state, X, Y):
        module.train_step(*state, X, Y)  # updates the model and the optimizer in place
        return state

    return Workload("rows", init, step, lambda state, X: module.predict(state[0], X))


def workload(number, module, n_in=784):
    """The training step and inference of stage `number`, driven through its API."""
    if number in (1, 2):
        return _column_workload(module, n_in, uses_train_step=False, numpy=number == 1)
    if number == 4:
        return _column_workload(module, n_in, uses_train_step=True)
    return globals()[f"_stage{number}"](module, n_in)  # _stage3, _stage5, ...


def _ready(value):
    """Wait for JAX's asynchronous dispatch to finish before reading the clock."""
    try:
        import jax

        return jax.block_until_ready(value)
    except (ImportError, TypeError):
        return value


@dataclass
class Timing:
    stage: int
    source: str
    first_step_s: float
    step_s: float
    inference_s: float
    steps: int


def measure(number, module, X, Y, X_big, steps):
    """Seconds for the first step (compile included), per later step, and one big inference."""
    work = workload(number, module, X.shape[0] if number not in ROW_STAGES else X.shape[1])
    state = _ready(work.init())
    started = time.perf_counter()
    state = _ready(work.step(state, X, Y))
    first = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(steps):
        state = work.step(state, X, Y)
    _ready(state)
    per_step = (time.perf_counter() - started) / max(steps, 1)
    _ready(work.predict(state, X_big))  # compile the inference shape first
    started = time.perf_counter()
    _ready(work.predict(state, X_big))
    inference = time.perf_counter() - started
    return Timing(number, "", first, per_step, inference, steps)


def _data(number):
    from autograder.data import load_mnist

    layout = "rows" if number in ROW_STAGES else "columns"
    X, Y = load_mnist("train", layout=layout)
    rows = load_mnist("train", layout="rows")[0]
    big = np.resize(rows, (INFERENCE_BATCH, rows.shape[1]))
    return X, Y, (big if layout == "rows" else np.ascontiguousarray(big.T))


def _measure_first_available(number, folder, steps):
    """Time the stage file in `folder`, or the reference when that one is not finished."""
    from autograder.notebook import load_stage_file

    X, Y, X_big = _data(number)
    for candidate, label in ((folder, "your file"), (REPO_ROOT / "solutions", "the reference")):
        try:
            timing = measure(number, load_stage_file(number, candidate), X, Y, X_big, steps)
        except NotImplementedError:
            continue
        timing.source = f"{label}, {Path(candidate).name}/{load_stages()[number].file}"
        return timing
    raise RuntimeError(f"stage {number} has no implementation to time")


def device_name():
    try:
        import jax

        device = jax.devices()[0]
        kind = device.device_kind
        return device.platform if kind.lower() == device.platform else f"{device.platform} ({kind})"
    except Exception:  # noqa: BLE001 - timing must not fail for lack of a device name
        return "cpu"


def compare(number, folder, steps=None, log=print):
    """Time stage `number` and `number - 1` on the same work and print a table."""
    from autograder.notebook import quick

    if number == EXPORT_STAGE:  # nothing to train: time its three ways to predict instead
        return compare_inference(folder, calls=3 if quick() else 10, log=log)
    steps = steps or (5 if quick() else 50)
    if number == SHARDED_STAGE:  # the same step on meshes of 1, 2 and 8 devices
        return compare_devices(folder, steps, log=log)
    numbers = [n for n in (number - 1, number) if n in load_stages() and
               (REPO_ROOT / "solutions" / load_stages()[n].file).exists()]
    results = [_measure_first_available(n, folder, steps) for n in numbers]
    examples = len(_data(number)[1])
    log(f"Measured just now on {device_name()} ({os.cpu_count()} CPU cores visible): "
        f"{steps} full-batch training steps on {examples:,} examples, then one inference "
        f"batch of {INFERENCE_BATCH:,} examples.\n")
    log(f"  {'stage':<34} {'first step':>10} {'per step':>10} {'inference':>10}")
    for t in results:
        title = f"{t.stage} {load_stages()[t.stage].title}"
        log(f"  {title:<34} {t.first_step_s * 1e3:>8.1f}ms {t.step_s * 1e3:>8.2f}ms "
            f"{t.inference_s * 1e3:>8.1f}ms")
    for t in results:
        log(f"  stage {t.stage} ran {t.source}")
    if len(results) == 2:
        before, after = results
        ratio = before.step_s / after.step_s if after.step_s else float("inf")
        verdict = f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower"
        log(f"\nPer training step, stage {after.stage} was {verdict} than stage {before.stage} "
            "in this run. 'first step' includes compiling (JAX) and first-call overheads; "
            "'per step' and 'inference' exclude them.")
    else:
        log("\nStage 1 is the baseline: each later notebook times its stage against the one before.")
    return results


# ---------------------------------------------------------------- stage 11: inference only

EXPORT_STAGE = 11


def _inference_ways(module, params, folder):
    """{way: X -> classes} of a stage-11 file: jitted predict, its exported blob, its ONNX file."""
    blob = module.export_predict(params)
    onnx_file = str(Path(folder) / "predict.onnx")
    module.export_onnx(params, onnx_file)
    return {"predict (jax.jit)": lambda X: module.predict(params, X),
            "load_predict (jax.export)": module.load_predict(blob),
            "onnx_predict (onnxruntime)": lambda X: module.onnx_predict(onnx_file, X)}


def _time_calls(run, X, calls):
    """(seconds of the first call, median seconds of `calls` later calls)."""
    started = time.perf_counter()
    _ready(run(X))
    first = time.perf_counter() - started
    later = []
    for _ in range(calls):
        started = time.perf_counter()
        _ready(run(X))
        later.append(time.perf_counter() - started)
    return first, float(np.median(later))


def compare_inference(folder, calls=10, log=print):
    """Time one big inference batch through stage 11's three ways to predict, and print a table."""
    import tempfile

    from autograder.notebook import load_stage_file

    X = _data(EXPORT_STAGE)[2]
    rng = np.random.default_rng(0)
    shapes = {"W1": (10, X.shape[1]), "b1": (10,), "W2": (10, 10), "b2": (10,)}
    params = {name: rng.uniform(-0.5, 0.5, shape).astype(np.float32)
              for name, shape in shapes.items()}
    file = load_stages()[EXPORT_STAGE].file
    with tempfile.TemporaryDirectory() as scratch:
        for candidate, label in ((folder, "your file"), (REPO_ROOT / "solutions", "the reference")):
            try:
                ways = _inference_ways(load_stage_file(EXPORT_STAGE, candidate), params, scratch)
                results = {way: _time_calls(run, X, calls) for way, run in ways.items()}
            except NotImplementedError:
                continue
            source = f"{label}, {Path(candidate).name}/{file}"
            break
        else:
            raise RuntimeError(f"stage {EXPORT_STAGE} has no implementation to time")
    log(f"Measured just now on {device_name()} ({os.cpu_count()} CPU cores visible): one "
        f"inference batch of {len(X):,} examples, three ways, with the same 784-10-10 params.\n")
    log(f"  {'way':<30} {'first call':>10} {'later calls':>12}")
    for way, (first, later) in results.items():
        log(f"  {way:<30} {first * 1e3:>8.1f}ms {later * 1e3:>10.2f}ms")
    log(f"  stage {EXPORT_STAGE} ran {source}")
    log(f"\n'first call' includes compiling (JAX); 'later calls' is the median of {calls} more. "
        "onnx_predict opens the file in a new onnxruntime session on every call, so its time "
        "includes loading the model.")
    return results


# ---------------------------------------------------------------- stage 10: device counts

SHARDED_STAGE = 10
DEVICE_COUNTS = (1, 2, 8)


def _mesh_devices(count):
    """`count` devices of the default backend, else of the CPU (simulated ones); None if too few."""
    import jax

    for devices in (jax.devices(), jax.devices("cpu")):
        if len(devices) >= count:
            return devices[:count]
    return None


def _time_on_mesh(module, devices, X, Y, steps):
    """(first step, mean later step) of stage 10's train_step, the batch split over `devices`."""
    mesh = module.make_mesh(devices)
    params = _ready(module.replicate(mesh, module.init_params(_key(), X.shape[1])))
    X, Y = _ready(module.shard_batch(mesh, X, Y))
    started = time.perf_counter()
    params = _ready(module.train_step(params, X, Y, ALPHA)[0])
    first = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(steps):
        # Each step awaited: many queued collective steps can deadlock simulated devices.
        params = _ready(module.train_step(params, X, Y, ALPHA)[0])
    return first, (time.perf_counter() - started) / max(steps, 1)


def compare_devices(folder, steps, log=print):
    """Time stage 10's train_step on the training set over meshes of 1, 2 and 8 devices."""
    from autograder.notebook import load_stage_file

    X, Y, _big = _data(SHARDED_STAGE)
    counts = [n for n in DEVICE_COUNTS if _mesh_devices(n)]
    file = load_stages()[SHARDED_STAGE].file
    for candidate, label in ((folder, "your file"), (REPO_ROOT / "solutions", "the reference")):
        try:
            module = load_stage_file(SHARDED_STAGE, candidate)
            results = {n: _time_on_mesh(module, _mesh_devices(n), X, Y, steps) for n in counts}
        except NotImplementedError:
            continue
        source = f"{label}, {Path(candidate).name}/{file}"
        break
    else:
        raise RuntimeError(f"stage {SHARDED_STAGE} has no implementation to time")
    log(f"Measured just now on {device_name()} ({os.cpu_count()} CPU cores visible): "
        f"{steps} full-batch train_steps on {len(Y):,} examples, the batch split over "
        f"{', '.join(map(str, counts))} devices.\n")
    log(f"  {'devices':>7} {'rows each':>10} {'first step':>11} {'per step':>10}")
    for n, (first, per_step) in results.items():
        device = _mesh_devices(n)[0]
        log(f"  {n:>7} {len(Y) // n:>10,} {first * 1e3:>9.1f}ms {per_step * 1e3:>8.2f}ms"
            f"  ({device.platform})")
    log(f"  stage {SHARDED_STAGE} ran {source}")
    if any(_mesh_devices(n)[0].platform == "cpu" for n in counts if n > 1):
        log(f"\nThe CPU devices here are simulated: they all share this machine's "
            f"{os.cpu_count()} cores, so more devices add no compute; what changes is how XLA "
            "spreads the work over those cores, and the cost of the all-reduce. The table shows "
            "the mechanics, not how real accelerators scale. On a machine with several GPUs or "
            "TPUs, jax.devices() lists them and the same code runs unchanged, each device on its "
            "own rows.")
    return results

