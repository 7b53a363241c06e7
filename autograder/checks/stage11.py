"""Stage 11 (export): predict, a jax.export blob, an ONNX file, and each run elsewhere.

What the submission exports is judged in `ctx.judge`, a sandboxed process
that never imports the stage file: the blob is deserialized and the ONNX file
opened there, so they pass on what they hold, not on Python left behind.
load_predict and onnx_predict are graded the other way round, on artifacts
the grader made from params the submission never saw (a blob exported by the
reference, an ONNX file built here with onnx.helper), so that they can only
pass by running what they are given.

Expected classes and probabilities come from the network's formula in float64
NumPy, on inputs drawn so that no row has two logits within TIE_GAP of each
other: float32 could pick either class of a near tie.
"""
import numpy as np
from hypothesis import assume

from autograder.checks import strategies as S
from autograder.checks.compare import as_array, expect_close, expect_shape
from autograder.checks.tolerances import tolerance
from autograder.grading.failures import CheckFailed, LearnerError

PLATFORMS = ("cpu", "cuda")
# (n_in, n_hidden, n_out) of the params the submission exports, and of the
# grader's own artifacts: all different, so that a transposed weight cannot fit.
EXPORT_SIZES = (24, 7, 5)
GRADER_SIZES = (16, 9, 6)
DEEPER_SIZES = (16, 9, 7, 6)  # a network with two hidden layers, for onnx_predict
BATCH_SIZES = (1, 7, 1000)
TIE_GAP = 1e-3


# ------------------------------------------------------------ the network in NumPy

def _layers(params):
    """[(W, b), ...] of a params dict, row layout (W is (out, in))."""
    return [(params["W1"], params["b1"]), (params["W2"], params["b2"])]


def _logits(layers, X):
    """Logits (m, n_out) in float64: relu between the layers, none after the last."""
    A = np.asarray(X, np.float64)
    for number, (W, b) in enumerate(layers, start=1):
        A = A @ np.asarray(W, np.float64).T + np.asarray(b, np.float64)
        if number < len(layers):
            A = np.maximum(A, 0)
    return A


def _softmax(Z, axis=1):
    E = np.exp(Z - Z.max(axis=axis, keepdims=True))
    return E / E.sum(axis=axis, keepdims=True)


def _clear_rows(Z):
    """True for rows whose two largest logits are more than TIE_GAP apart."""
    top = np.sort(Z, axis=1)[:, -2:]
    return top[:, 1] - top[:, 0] > TIE_GAP


def _random_layers(ctx, seed, sizes):
    """Float32 layers uniform on [-1, 1) for the sizes (n_in, hidden..., n_out)."""
    rng = np.random.default_rng(ctx.fixed_seed(seed))
    return [(rng.uniform(-1, 1, (n_out, n_in)).astype(np.float32),
             rng.uniform(-1, 1, n_out).astype(np.float32))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def _params(ctx, seed, sizes):
    (W1, b1), (W2, b2) = _random_layers(ctx, seed, sizes)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def _rows(count):
    return f"{count} row" + ("s" if count != 1 else "")


def _batches(ctx, seed, layers):
    """Float32 batches of BATCH_SIZES rows, uniform on [-1, 1), without near ties."""
    rng = np.random.default_rng(ctx.fixed_seed(seed))
    needed = sum(BATCH_SIZES)
    X = rng.uniform(-1, 1, (2 * needed, layers[0][0].shape[1])).astype(np.float32)
    X = X[_clear_rows(_logits(layers, X))][:needed]
    ends = np.cumsum(BATCH_SIZES)
    return [X[end - size:end] for size, end in zip(BATCH_SIZES, ends)]


# ------------------------------------------------------------ verdicts on values

def _expect_classes(got, Z, what):
    """`got` is one integer class per row of logits Z (m, n_out), the row's argmax."""
    m, n_out = Z.shape
    array = as_array(got, what)
    if array.shape == Z.shape and n_out > 1:
        raise CheckFailed(f"{what} has shape {array.shape}: a score per class, not one class "
                          "index per row", advice="take the position of each row's largest "
                          "score: argmax over axis 1")
    if array.shape == (n_out,) and m != n_out:
        raise CheckFailed(f"{what} has shape {array.shape}, one value per class, for a batch of "
                          f"{m} rows: the argmax ran over the batch (axis 0)",
                          advice="each row is one example: argmax over axis 1")
    array = expect_shape(array, (m,), what)
    if not np.issubdtype(array.dtype, np.integer):
        raise CheckFailed(f"{what} has dtype {array.dtype}, expected integer class indices")
    expected = Z.argmax(axis=1)
    wrong = np.flatnonzero(array != expected)
    if wrong.size:
        row = int(wrong[0])
        raise CheckFailed(f"{what} gives the wrong class for {wrong.size} of {m} rows",
                          f"row {row}: expected class {expected[row]}, got {array[row]}; "
                          f"logits of that row {np.round(Z[row], 4).tolist()}")


def _expect_probabilities(got, Z, what):
    """`got` is the softmax of each row of Z, within float32 tolerance, with diagnoses."""
    array = expect_shape(as_array(got, what), Z.shape, what).astype(np.float64)
    expected = _softmax(Z)
    rtol, atol = tolerance("equivalence", np.float32(0))
    close = lambda a, b: np.allclose(a, b, rtol=rtol, atol=atol)
    shown = lambda name, rows: f"{name} {np.round(rows[0], 4).tolist()}"
    detail = f"row 0: {shown('expected', expected)}, {shown('got', array)}"
    over_batch = _softmax(Z, axis=0)  # for a single row, every entry is 1
    diagnoses = (
        (Z, "are the logits, not probabilities",
         "apply a softmax over each row's classes before exporting"),
        (np.log(expected), "are log-probabilities, not probabilities",
         "the file's output is the softmax itself, not its log"),
        (over_batch, "sum to 1 down each column, not along each row: the softmax ran over the "
         "batch (axis 0)", "a row is one example: softmax over axis 1, its classes"),
    )
    if not close(array, expected):
        for wrong, reason, advice in diagnoses:
            if close(array, wrong):
                raise CheckFailed(f"{what} {reason}", detail, advice=advice)
    expect_close(array.astype(np.float32), expected, what)


# ------------------------------------------------------------ predict

def _networks(ctx):
    return S.networks(ctx.dtype, layout="rows")


def _split(case):
    return {name: case[name] for name in ("W1", "b1", "W2", "b2")}, case["X"]


def check_predict_classes(ctx):
    """Check that predict returns each row's class index (argmax of the logits), any sizes."""
    def prop(**case):
        params, X = _split(case)
        Z = _logits(_layers(params), X)
        assume(_clear_rows(Z).all())
        _expect_classes(ctx.sub.call("predict", params, X), Z, "predict(params, X)")
    # n_in, n_hidden, n_out all different: a weight used untransposed cannot fit.
    clear = _params(ctx, 11, (2, 5, 10))
    X = _batches(ctx, 12, _layers(clear))[1]
    ctx.forall(_networks(ctx), prop, examples=10,
               explicit=[dict(clear, X=X, Y=np.zeros(len(X), np.int32))])


# ------------------------------------------------------------ export_predict, in the judge

def _stage11(ctx):
    return ctx.__dict__.setdefault("stage11", {})


def _learner_blob(ctx):
    """(params, blob): export_predict on params the grader drew (one call per grading)."""
    cache = _stage11(ctx)
    if "blob" not in cache:
        params = _params(ctx, 1, EXPORT_SIZES)
        reply = ctx.sub.probe("export_blob", function="export_predict", params=params)
        if reply["blob"] is None:
            exported = reply["type"].endswith("Exported")
            raise CheckFailed(
                f"export_predict returned a {reply['type']}, expected bytes",
                advice="return the serialized program: bytes(exported.serialize())" if exported
                else "export with jax.export.export and return exported.serialize()")
        cache["blob"] = (params, reply["blob"])
    return cache["blob"]


def _exported_facts(ctx):
    cache = _stage11(ctx)
    if "exported_facts" not in cache:
        blob = _learner_blob(ctx)[1]
        cache["exported_facts"] = ctx.judge.probe("exported_facts", function="export_predict",
                                                  blob=blob)
    return cache["exported_facts"]


def check_export_predict_blob(ctx):
    """Check that export_predict returns bytes that jax.export deserializes in a fresh process,
    exported for both the CPU and CUDA platforms."""
    facts = _exported_facts(ctx)
    if facts["error"]:
        raise CheckFailed("the bytes export_predict returned are not a jax.export program",
                          "jax.export.deserialize, in a process without your file: "
                          + facts["error"],
                          advice="return exported.serialize(), where exported comes from "
                          "jax.export.export(jax.jit(...))(input spec)")
    missing = [p for p in PLATFORMS if p not in facts["platforms"]]
    if missing:
        raise CheckFailed(f"the program was exported for {tuple(facts['platforms'])} only: it "
                          f"cannot run on {', '.join(missing)}",
                          f"SPEC asks for the platforms {PLATFORMS}, so that a program exported "
                          "on one machine runs on the other kind too",
                          advice=f"pass platforms={PLATFORMS} to jax.export.export")


def check_export_predict_signature(ctx):
    """Check that the exported program takes one input X, float32 (b, n_in) with a symbolic
    batch b (the params baked in), and returns integer classes (b,)."""
    facts = _exported_facts(ctx)
    n_in = EXPORT_SIZES[0]
    inputs, outputs = facts["inputs"], facts["outputs"]
    listed = ", ".join(i["text"] for i in inputs)
    if len(inputs) != 1:
        raise CheckFailed(
            f"the exported program takes {len(inputs)} arrays ({listed}), expected X alone",
            f"its arguments: {facts['in_tree']}; the params must be constants inside the "
            "program, not inputs a caller has to supply",
            advice="export a function of X alone, such as jax.jit(lambda X: predict(params, X))")
    x = inputs[0]
    if len(x["dims"]) != 2 or x["dims"][1] != n_in:
        raise CheckFailed(f"the exported program takes {x['text']}, expected (b, {n_in}) for "
                          f"params with n_in = {n_in}",
                          advice="the input spec is (batch, params['W1'].shape[1])")
    if not x["symbolic"][0]:
        raise CheckFailed(f"the exported program takes {x['text']}: its batch size is fixed at "
                          f"{x['dims'][0]}, so it runs on batches of exactly that size only",
                          advice="make the batch dimension symbolic: (b,) = "
                          "jax.export.symbolic_shape('b'), then a spec of shape (b, n_in)")
    if x["dtype"] != "float32":
        raise CheckFailed(f"the exported program takes {x['dtype']} inputs ({x['text']}), "
                          "expected float32", advice="use jnp.float32 in the input spec (float64 "
                          "only exists when jax_enable_x64 is switched on)")
    out = outputs[0] if len(outputs) == 1 else None
    if out is None or out["dims"] != [x["dims"][0]] or not out["dtype"].startswith(("int", "uint")):
        shown = ", ".join(o["text"] for o in outputs)
        raise CheckFailed(f"the exported program returns {shown}, expected one integer class "
                          f"per row, shaped ({x['dims'][0]},)",
                          advice="export predict itself: its output is one class index per row")


def check_export_predict_runs(ctx):
    """Check that the deserialized program, run without the stage file, gives the reference's
    classes for batches of 1, 7 and 1,000 rows."""
    params, blob = _learner_blob(ctx)
    layers = _layers(params)
    batches = _batches(ctx, 2, layers)
    results = ctx.judge.probe("run_exported", function="export_predict", blob=blob,
                              batches=batches)
    for X, result in zip(batches, results):
        what = f"the exported program on a batch of {_rows(len(X))}"
        if result["error"]:
            raise CheckFailed(f"{what} failed in a process without your file",
                              result["error"])
        _expect_classes(result["value"], _logits(layers, X), what)


# ------------------------------------------------------------ load_predict, on the grader's blob

def check_load_predict_grader_blob(ctx):
    """Check that load_predict runs a blob the grader exported, from params the submission
    never saw, for batches of 1, 7 and 1,000 rows."""
    params = _params(ctx, 3, GRADER_SIZES)
    blob = ctx.reference_value("export_predict",
                               lambda: bytes(ctx.ref.export_predict(params)), params)
    layers = _layers(params)
    batches = _batches(ctx, 4, layers)
    try:
        reply = ctx.sub.probe("load_predict_on", function="load_predict", blob=blob,
                              batches=batches)
    except LearnerError as exc:
        if exc.raised_in not in ("", "load_predict"):
            exc.detail = (f"the error arose in your {exc.raised_in}, so load_predict ran your "
                          "file's code, not the program in the blob; the grader's blob holds a "
                          f"network with sizes {GRADER_SIZES} your file never saw")
        raise
    if not reply["callable"]:
        raise CheckFailed(f"load_predict returned a {reply['type']}, which cannot be called on X",
                          advice="return a function of X: the deserialized program's .call")
    for X, got in zip(batches, reply["outputs"]):
        _expect_classes(got, _logits(layers, X),
                        f"load_predict(blob)(X) on a batch of {_rows(len(X))}")


# ------------------------------------------------------------ export_onnx, in the judge

def _learner_onnx(ctx):
    """(params, model bytes): export_onnx on params the grader drew (one call per grading)."""
    cache = _stage11(ctx)
    if "onnx" not in cache:
        params = _params(ctx, 5, EXPORT_SIZES)
        reply = ctx.sub.probe("export_onnx_file", function="export_onnx", params=params)
        others = ", ".join(reply["others"])
        if reply["bytes"] is None:
            raise CheckFailed("export_onnx(params, path) wrote no file at path",
                              f"it wrote {others} next to it" if others else "the folder of path "
                              "stayed empty", advice="save the model to exactly the path given, "
                              "e.g. onnx.save_model(model, path)")
        if reply["others"]:
            raise CheckFailed(f"export_onnx wrote {others} besides the file at path: the model is "
                              "not one self-contained file",
                              advice="save the whole model into path (onnx.save_model(model, "
                              "path), no external data)")
        cache["onnx"] = (params, reply["bytes"])
    return cache["onnx"]


def _dynamic(dim):
    return not isinstance(dim, int) or dim == 0  # a named (dim_param) or unknown dimension


def check_export_onnx_file(ctx):
    """Check that export_onnx writes one self-contained file that onnx.checker accepts, with one
    float32 input (b, n_in) of dynamic batch b and one output (b, n_out)."""
    params, model = _learner_onnx(ctx)
    n_in, n_out = params["W1"].shape[1], params["W2"].shape[0]
    facts = ctx.judge.probe("onnx_facts", function="export_onnx", model=model)
    if facts["error"]:
        raise CheckFailed("the file export_onnx wrote is not an ONNX model", facts["error"])
    if facts["external"]:
        raise CheckFailed("the ONNX file keeps its weights in another file (external data)",
                          f"tensors stored outside it: {', '.join(facts['external'][:4])}",
                          advice="save everything into one file: onnx.save_model(model, path)")
    if facts["checker"]:
        raise CheckFailed("onnx.checker rejects the file export_onnx wrote", facts["checker"])
    shown = lambda infos: ", ".join(f"{i['name']} {i['dtype']} {i['dims']}" for i in infos)
    inputs, outputs = facts["inputs"], facts["outputs"]
    if len(inputs) != 1 or len(outputs) != 1:
        raise CheckFailed(f"the ONNX model has {len(inputs)} inputs and {len(outputs)} outputs, "
                          "expected one of each", f"inputs: {shown(inputs)}; outputs: "
                          f"{shown(outputs)}", advice="convert a function of X alone, the params "
                          "fixed inside it")
    x, y = inputs[0], outputs[0]
    if len(x["dims"]) != 2 or x["dims"][1] != n_in or x["dtype"] != "float32":
        raise CheckFailed(f"the ONNX input is {shown(inputs)}, expected float32 (b, {n_in})")
    if not _dynamic(x["dims"][0]):
        raise CheckFailed(f"the ONNX input is {shown(inputs)}: its batch size is fixed at "
                          f"{x['dims'][0]}, so it accepts batches of exactly that size only",
                          advice="give jax2onnx a named batch dimension: [('b', n_in)]")
    if len(y["dims"]) != 2 or y["dims"][1] != n_out or not _dynamic(y["dims"][0]):
        raise CheckFailed(f"the ONNX output is {shown(outputs)}, expected (b, {n_out}): one row "
                          "of class probabilities per example")


def check_export_onnx_probabilities(ctx):
    """Check that onnxruntime, running the file without the stage file, gives each row's class
    probabilities for batches of 1, 7 and 1,000 rows."""
    params, model = _learner_onnx(ctx)
    layers = _layers(params)
    batches = _batches(ctx, 6, layers)
    reply = ctx.judge.probe("run_onnx", function="export_onnx", model=model, batches=batches)
    if reply["error"]:
        raise CheckFailed("onnxruntime cannot open the file export_onnx wrote", reply["error"])
    for X, result in zip(batches, reply["outputs"]):
        what = f"onnxruntime's outputs for a batch of {_rows(len(X))}"
        if result["error"]:
            raise CheckFailed(f"onnxruntime failed on a batch of {_rows(len(X))}", result["error"])
        _expect_probabilities(result["value"], _logits(layers, X), what)


# ------------------------------------------------------------ onnx_predict, on the grader's files

def onnx_model(layers, opset=17):
    """A serialized ONNX model of the softmax of an MLP (relu between layers), dynamic batch."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, weights, current = [], [], "X"
    for number, (W, b) in enumerate(layers, start=1):
        weights += [numpy_helper.from_array(np.ascontiguousarray(W.T), f"W{number}"),
                    numpy_helper.from_array(b, f"b{number}")]
        nodes += [helper.make_node("MatMul", [current, f"W{number}"], [f"XW{number}"]),
                  helper.make_node("Add", [f"XW{number}", f"b{number}"], [f"Z{number}"])]
        current = f"Z{number}"
        if number < len(layers):
            nodes.append(helper.make_node("Relu", [current], [f"A{number}"]))
            current = f"A{number}"
    nodes.append(helper.make_node("Softmax", [current], ["probabilities"], axis=1))
    n_in, n_out = layers[0][0].shape[1], layers[-1][0].shape[0]
    graph = helper.make_graph(
        nodes, "grader_mlp", [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["b", n_in])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["b", n_out])], weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              ir_version=8, producer_name="autograder")
    onnx.checker.check_model(model)
    return model.SerializeToString()


def check_onnx_predict_grader_file(ctx):
    """Check that onnx_predict runs ONNX files the grader built (weights the submission never
    saw; one of them a deeper network) and returns each row's class."""
    networks = (("a file of your network's shape", _random_layers(ctx, 7, GRADER_SIZES), 8),
                ("a deeper network's file (two hidden layers)",
                 _random_layers(ctx, 9, DEEPER_SIZES), 10))
    for name, layers, seed in networks:
        batches = _batches(ctx, seed, layers)
        outputs = ctx.sub.probe("onnx_predict_on", function="onnx_predict",
                                model=onnx_model(layers), batches=batches)
        for X, got in zip(batches, outputs):
            try:
                _expect_classes(got, _logits(layers, X),
                                f"onnx_predict on {name}, batch of {_rows(len(X))}")
            except CheckFailed as exc:
                if len(layers) > 2:
                    exc.detail = ((exc.detail or "") + "\nthe file shaped like your network "
                                  "passed: does onnx_predict recompute your network instead of "
                                  "running the file?").strip()
                    exc.advice = exc.advice or ("ask onnxruntime for the file's output: an "
                                                "InferenceSession runs whatever network it holds")
                raise
