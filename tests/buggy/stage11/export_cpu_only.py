"""export_predict leaves out `platforms`: the program is lowered for this machine's platform
only, so a blob made on a laptop cannot run on a GPU machine (or the reverse)."""
EXPECT_FAIL = ["export_predict_blob"]
FOCUS = "export_predict"


def export_predict(params):
    (batch,) = export.symbolic_shape("b")
    spec = jax.ShapeDtypeStruct((batch, params["W1"].shape[1]), jnp.float32)
    return bytes(export.export(jax.jit(lambda X: predict(params, X)))(spec).serialize())
