"""export_predict writes the network out again instead of exporting predict, and leaves out
the ReLU there: predict passes its checks, the exported program does not."""
EXPECT_FAIL = ["export_predict_runs"]
FOCUS = "export_predict"


def export_predict(params):
    def classes(X):
        hidden = X @ params["W1"].T + params["b1"]
        return jnp.argmax(hidden @ params["W2"].T + params["b2"], axis=1)

    (batch,) = export.symbolic_shape("b")
    spec = jax.ShapeDtypeStruct((batch, params["W1"].shape[1]), jnp.float32)
    exported = export.export(jax.jit(classes), platforms=PLATFORMS)(spec)
    return bytes(exported.serialize())
