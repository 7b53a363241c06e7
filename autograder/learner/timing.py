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

import numpy as np

from autograder.learner import timing_devices, timing_export
from autograder.learner.timing_common import (
    ALPHA,
    INFERENCE_BATCH,
    ROW_STAGES,
    first_available,
    jax_key,
    measured_on,
    ready,
    stage_data,
)
from autograder.metadata import REPO_ROOT, load_stages

# Stages whose notebook times something else than a training step against the
# stage before: the module's compare(folder, quick, log) prints their table.
OWN_TIMING = {10: timing_devices, 11: timing_export}


@dataclass
class Workload:
    """A stage's training step and inference, as callables on prepared data."""

    layout: str
    init: object      # () -> state
    step: object      # state -> state
    predict: object   # (state, X) -> predictions


def _column_workload(module, n_in, uses_train_step, numpy=False):
    rng = np.random.default_rng(0) if numpy else jax_key()

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

    return Workload("rows", lambda: tuple(module.init_params(jax_key(), n_in)), step, predict)


def _stage5(module, n_in):
    def step(state, X, Y):
        return tuple(module.update_params(*state, ALPHA, X, Y))

    def predict(state, X):
        return module.get_predictions(module.batched_forward(*state, X))

    return Workload("rows", lambda: tuple(module.init_params(jax_key(), n_in)), step, predict)


def _stage6(module, n_in):
    def predict(params, X):
        return module.get_predictions(module.batched_forward(params, X))

    return Workload("rows", lambda: module.init_params(jax_key(), n_in),
                    lambda params, X, Y: module.train_step(params, X, Y, ALPHA)[0], predict)


def _stage7(module, n_in):
    def init():
        return module.model.init(jax_key(), np.zeros((1, n_in), np.float32))

    def predict(params, X):
        return module.get_predictions(module.model.apply(params, X))

    return Workload("rows", init, lambda params, X, Y: module.train_step(params, X, Y, ALPHA)[0],
                    predict)


def _stage8(module, n_in):
    optimizer = module.make_optimizer(ALPHA)
    train_step = module.make_train_step(optimizer)

    def init():
        params = module.model.init(jax_key(), np.zeros((1, n_in), np.float32))
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
    state = ready(work.init())
    started = time.perf_counter()
    state = ready(work.step(state, X, Y))
    first = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(steps):
        state = work.step(state, X, Y)
    ready(state)
    per_step = (time.perf_counter() - started) / max(steps, 1)
    ready(work.predict(state, X_big))  # compile the inference shape first
    started = time.perf_counter()
    ready(work.predict(state, X_big))
    inference = time.perf_counter() - started
    return Timing(number, "", first, per_step, inference, steps)


def _measure_first_available(number, folder, steps):
    """Time the stage file in `folder`, or the reference when that one is not finished."""
    X, Y, X_big = stage_data(number)
    timing, source = first_available(
        number, folder, lambda module: measure(number, module, X, Y, X_big, steps))
    timing.source = source
    return timing


def compare(number, folder, steps=None, log=print):
    """Time stage `number` and `number - 1` on the same work and print a table (stages with a
    timing of their own: see OWN_TIMING)."""
    from autograder.learner.stage_file import quick

    if number in OWN_TIMING:
        return OWN_TIMING[number].compare(folder, quick(), log=log)
    steps = steps or (5 if quick() else 50)
    numbers = [n for n in (number - 1, number) if n in load_stages() and
               (REPO_ROOT / "solutions" / load_stages()[n].file).exists()]
    results = [_measure_first_available(n, folder, steps) for n in numbers]
    examples = len(stage_data(number)[1])
    numpy = ["NumPy"] if any(load_stages()[n].framework == "numpy" for n in numbers) else []
    log(f"Measured just now on {measured_on(numpy)} ({os.cpu_count()} CPU cores visible): "
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

