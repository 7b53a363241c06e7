"""Stage 11, another idiom: a plain predict, a bytearray blob, a symbolic spec for jax2onnx."""
import jax
import jax.numpy as jnp
import numpy as np
import onnx
import onnxruntime as ort
from jax import export
from jax2onnx import to_onnx


def predict(params, X):
    hidden = jax.nn.relu(X @ params["W1"].T + params["b1"])
    scores = jax.nn.softmax(hidden @ params["W2"].T + params["b2"])
    return scores.argmax(axis=1)


def _spec(params):
    (m,) = export.symbolic_shape("m")
    return jax.ShapeDtypeStruct((m, params["W1"].shape[1]), np.float32)


def export_predict(params):
    exported = export.export(jax.jit(lambda X: predict(params, X)),
                             platforms=("cpu", "cuda", "rocm"))(_spec(params))
    return exported.serialize()  # a bytearray


def load_predict(blob):
    return lambda X: export.deserialize(blob).call(X)


def export_onnx(params, path):
    def probabilities(X):
        hidden = jax.nn.relu(X @ params["W1"].T + params["b1"])
        logits = hidden @ params["W2"].T + params["b2"]
        e = jnp.exp(logits - logits.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    onnx.save(to_onnx(probabilities, [_spec(params)], model_name="mnist_mlp"), path)


def onnx_predict(path, X):
    session = ort.InferenceSession(path)
    outputs = session.run(None, {session.get_inputs()[0].name: np.asarray(X, dtype=np.float32)})
    return np.argmax(outputs[0], axis=-1)
