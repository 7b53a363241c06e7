"""Stage 11 probes: what the submission exports, and those artifacts run without it.

Two kinds of probes live here. Some run in the learner's worker: they call
export_predict, export_onnx, load_predict and onnx_predict and hand back
bytes and values. The others run in the judge (`ctx.judge`), a worker that
never imports the submission: they deserialize a blob or open an ONNX file
and report what it holds and what it computes. None of them decides.

jax2onnx's to_onnx imports every converter it has on first use (its Flax,
Equinox and example trees compile dozens of JAX programs: 10-20 s). In the
learner's worker this module loads, at import, the converters for JAX's own
operations only (jax.numpy, jax.nn, lax: 1-2 s) and tells jax2onnx that its
plugins are loaded. At import, because some converters patch jax.numpy and
jax.lax: done before the submission is imported, that is set-up; done later,
the worker would see the patches as tampering and restart. The judge
(AUTOGRADER_JUDGE=1) converts nothing and skips it.
"""
import importlib
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from autograder.worker.probes import block, learner_attr, probe, to_framework, to_wire

ONNX_FILE_NAME = "model.onnx"


def jax_converters_only():
    """Register jax2onnx's converters for JAX operations only."""
    from jax2onnx.plugins import plugin_system

    root = Path(plugin_system.__file__).parent
    plugin_system._import_tree(root / "jax", "jax2onnx.plugins.jax")
    for helper in root.glob("_*.py"):
        importlib.import_module(f"jax2onnx.plugins.{helper.stem}")
    plugin_system._already_imported_plugins = True


if not os.environ.get("AUTOGRADER_JUDGE"):
    jax_converters_only()


def _kind(value):
    return type(value).__module__ + "." + type(value).__qualname__


def _error(exc):
    """One line naming an exception raised by trusted code on the learner's artifact."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first[:400]}"


def _fresh_folder():
    """An empty folder inside the worker's own writable folder (its working directory)."""
    return Path(tempfile.mkdtemp(prefix="stage11-", dir=os.getcwd()))


# ------------------------------------------------------------ in the learner's worker

@probe
def export_blob(module, params):
    """export_predict(params): the bytes it returned (None if not bytes) and their type."""
    blob = learner_attr(module, "export_predict")(to_framework(params))
    is_bytes = isinstance(blob, (bytes, bytearray))
    return {"type": _kind(blob), "blob": bytes(blob) if is_bytes else None}


@probe
def load_predict_on(module, blob, batches):
    """load_predict(blob) called on each batch; whether it returned something callable."""
    loaded = learner_attr(module, "load_predict")(blob)
    if not callable(loaded):
        return {"callable": False, "type": _kind(loaded), "outputs": []}
    outputs = [to_wire(block(loaded(to_framework(X)))) for X in batches]
    return {"callable": True, "type": _kind(loaded), "outputs": outputs}


@probe
def export_onnx_file(module, params):
    """export_onnx(params, path) for a path in a fresh folder: the file's bytes, and other files."""
    folder = _fresh_folder()
    path = folder / ONNX_FILE_NAME
    try:
        returned = learner_attr(module, "export_onnx")(to_framework(params), str(path))
        others = sorted(p.name for p in folder.iterdir() if p.name != ONNX_FILE_NAME)
        data = path.read_bytes() if path.is_file() else None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"bytes": data, "others": others, "returned": _kind(returned)}


@probe
def onnx_predict_on(module, model, batches):
    """onnx_predict(path, X) for each batch, the file at path holding `model` (bytes)."""
    folder = _fresh_folder()
    path = folder / ONNX_FILE_NAME
    path.write_bytes(model)
    try:
        function = learner_attr(module, "onnx_predict")
        return [to_wire(block(function(str(path), np.asarray(X, np.float32)))) for X in batches]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------ in the judge

def _aval(aval):
    return {"dims": [d if isinstance(d, int) else str(d) for d in aval.shape],
            "symbolic": [not isinstance(d, int) for d in aval.shape],
            "dtype": str(aval.dtype), "text": str(aval)}


@probe
def exported_facts(module, blob):
    """What jax.export.deserialize makes of `blob`: its inputs, outputs and platforms."""
    from jax import export

    try:
        exported = export.deserialize(bytearray(blob))
    except Exception as exc:  # noqa: BLE001 - not a jax.export blob: the grader says so
        return {"error": _error(exc)}
    return {"error": None, "inputs": [_aval(a) for a in exported.in_avals],
            "outputs": [_aval(a) for a in exported.out_avals],
            "in_tree": str(exported.in_tree), "platforms": list(exported.platforms)}


@probe
def run_exported(module, blob, batches):
    """The deserialized blob called on each batch: its output, or the error it raised."""
    from jax import export

    call = export.deserialize(bytearray(blob)).call
    results = []
    for X in batches:
        try:
            results.append({"value": np.asarray(block(call(X))), "error": None})
        except Exception as exc:  # noqa: BLE001 - the grader reports it
            results.append({"value": None, "error": _error(exc)})
    return results


def _onnx_value_info(info):
    import onnx

    tensor = info.type.tensor_type
    dims = [d.dim_param if d.HasField("dim_param") else d.dim_value if d.HasField("dim_value")
            else None for d in tensor.shape.dim]
    dtype = onnx.helper.tensor_dtype_to_np_dtype(tensor.elem_type).name if tensor.elem_type else "?"
    return {"name": info.name, "dims": dims, "dtype": dtype}


@probe
def onnx_facts(module, model):
    """What an ONNX model (bytes) declares, whether onnx.checker accepts it, external data."""
    import onnx

    try:
        proto = onnx.load_model_from_string(model)
    except Exception as exc:  # noqa: BLE001 - not an ONNX file: the grader says so
        return {"error": _error(exc)}
    try:
        onnx.checker.check_model(proto, full_check=True)
        checker = None
    except Exception as exc:  # noqa: BLE001
        checker = _error(exc)
    weights = {t.name for t in proto.graph.initializer}
    external = [t.name for t in proto.graph.initializer
                if t.data_location == onnx.TensorProto.EXTERNAL]
    return {"error": None, "checker": checker, "external": external,
            "inputs": [_onnx_value_info(i) for i in proto.graph.input if i.name not in weights],
            "outputs": [_onnx_value_info(o) for o in proto.graph.output]}


@probe
def run_onnx(module, model, batches):
    """onnxruntime's first output for each batch fed to the model's first input, or the error."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    try:
        session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001
        return {"error": _error(exc), "outputs": []}
    name = session.get_inputs()[0].name
    outputs = []
    for X in batches:
        try:
            outputs.append({"value": session.run(None, {name: X})[0], "error": None})
        except Exception as exc:  # noqa: BLE001
            outputs.append({"value": None, "error": _error(exc)})
    return {"error": None, "outputs": outputs}
