"""export_onnx saves the weights as external data, in a second file next to path: copying
the one file the stage asks for would lose them."""
EXPECT_FAIL = ["export_onnx_file"]
FOCUS = "export_onnx"


def export_onnx(params, path):
    def probabilities(X):
        hidden = jax.nn.relu(X @ params["W1"].T + params["b1"])
        return jax.nn.softmax(hidden @ params["W2"].T + params["b2"], axis=1)

    model = to_onnx(probabilities, [("b", params["W1"].shape[1])])
    onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                    location=path.split("/")[-1] + ".data", size_threshold=0)
