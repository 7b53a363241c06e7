"""onnx_predict reads the weights out of the file and recomputes this stage's two-layer
network in JAX instead of running the file with onnxruntime."""
from onnx import numpy_helper

EXPECT_FAIL = ["onnx_predict_grader_file"]
FOCUS = "onnx_predict"


def onnx_predict(path, X):
    w1, b1, w2, b2 = [numpy_helper.to_array(t) for t in onnx.load(path).graph.initializer][:4]
    hidden = jax.nn.relu(jnp.asarray(X) @ w1 + b1)
    return jnp.argmax(hidden @ w2 + b2, axis=1)
