"""Stage 11's timing: one big inference batch through its three ways to predict.

The stage trains nothing, so its notebook times predict (jax.jit), the
exported program (jax.export) and the ONNX file (onnxruntime) on the same
params and the same 20,000 digits.
"""
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from autograder.learner.timing_common import first_available, measured_on, ready, stage_data

STAGE = 11


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
    ready(run(X))
    first = time.perf_counter() - started
    later = []
    for _ in range(calls):
        started = time.perf_counter()
        ready(run(X))
        later.append(time.perf_counter() - started)
    return first, float(np.median(later))


def compare(folder, quick, log=print):
    """Time one big inference batch through stage 11's three ways to predict, and print a table."""
    calls = 3 if quick else 10
    X = stage_data(STAGE)[2]
    rng = np.random.default_rng(0)
    shapes = {"W1": (10, X.shape[1]), "b1": (10,), "W2": (10, 10), "b2": (10,)}
    params = {name: rng.uniform(-0.5, 0.5, shape).astype(np.float32)
              for name, shape in shapes.items()}
    with tempfile.TemporaryDirectory() as scratch:
        results, source = first_available(STAGE, folder, lambda module: {
            way: _time_calls(run, X, calls)
            for way, run in _inference_ways(module, params, scratch).items()})
    log(f"Measured just now on {measured_on(['onnxruntime'])} ({os.cpu_count()} CPU cores "
        f"visible): one inference batch of {len(X):,} examples, three ways, with the same "
        "784-10-10 params.\n")
    log(f"  {'way':<30} {'first call':>10} {'later calls':>12}")
    for way, (first, later) in results.items():
        log(f"  {way:<30} {first * 1e3:>8.1f}ms {later * 1e3:>10.2f}ms")
    log(f"  stage {STAGE} ran {source}")
    log(f"\n'first call' includes compiling (JAX); 'later calls' is the median of {calls} more. "
        "onnx_predict opens the file in a new onnxruntime session on every call, so its time "
        "includes loading the model.")
    return results
