"""Stage 10's timing: the same train_step on meshes of 1, 2 and 8 devices.

Simulated CPU devices share the machine's cores, so the table shows the
mechanics (how XLA spreads the work, what the all-reduce costs), not how
real accelerators scale; the notebook says so under the table.
"""
import os
import time

from autograder.learner.timing_common import (
    ALPHA,
    device_name,
    first_available,
    jax_key,
    ready,
    stage_data,
)

STAGE = 10
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
    params = ready(module.replicate(mesh, module.init_params(jax_key(), X.shape[1])))
    X, Y = ready(module.shard_batch(mesh, X, Y))
    started = time.perf_counter()
    params = ready(module.train_step(params, X, Y, ALPHA)[0])
    first = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(steps):
        # Each step awaited: many queued collective steps can deadlock simulated devices.
        params = ready(module.train_step(params, X, Y, ALPHA)[0])
    return first, (time.perf_counter() - started) / max(steps, 1)


def compare(folder, quick, log=print):
    """Time stage 10's train_step on the training set over meshes of 1, 2 and 8 devices."""
    steps = 5 if quick else 50
    X, Y, _big = stage_data(STAGE)
    meshes = {n: devices for n in DEVICE_COUNTS if (devices := _mesh_devices(n))}
    results, source = first_available(STAGE, folder, lambda module: {
        n: _time_on_mesh(module, devices, X, Y, steps) for n, devices in meshes.items()})
    log(f"Measured just now on {device_name()} ({os.cpu_count()} CPU cores visible): "
        f"{steps} full-batch train_steps on {len(Y):,} examples, the batch split over "
        f"{', '.join(map(str, meshes))} devices.\n")
    log(f"  {'devices':>7} {'rows each':>10} {'first step':>11} {'per step':>10}")
    for n, (first, per_step) in results.items():
        log(f"  {n:>7} {len(Y) // n:>10,} {first * 1e3:>9.1f}ms {per_step * 1e3:>8.2f}ms"
            f"  ({meshes[n][0].platform})")
    log(f"  stage {STAGE} ran {source}")
    if any(devices[0].platform == "cpu" for n, devices in meshes.items() if n > 1):
        log(f"\nThe CPU devices here are simulated: they all share this machine's "
            f"{os.cpu_count()} cores, so more devices add no compute; what changes is how XLA "
            "spreads the work over those cores, and the cost of the all-reduce. The table shows "
            "the mechanics, not how real accelerators scale. On a machine with several GPUs or "
            "TPUs, jax.devices() lists them and the same code runs unchanged, each device on its "
            "own rows.")
    return results
