"""export_onnx gives jax2onnx a concrete batch of one row: the file accepts nothing else."""
EXPECT_FAIL = ["export_onnx_file"]
FOCUS = "export_onnx"


def export_onnx(params, path):
    def probabilities(X):
        hidden = jax.nn.relu(X @ params["W1"].T + params["b1"])
        return jax.nn.softmax(hidden @ params["W2"].T + params["b2"], axis=1)

    onnx.save_model(to_onnx(probabilities, [(1, params["W1"].shape[1])]), path)
