"""export_predict returns the jax.export Exported object, not its serialized bytes."""
EXPECT_FAIL = ["export_predict_blob"]
FOCUS = "export_predict"


def export_predict(params):
    (batch,) = export.symbolic_shape("b")
    spec = jax.ShapeDtypeStruct((batch, params["W1"].shape[1]), jnp.float32)
    return export.export(jax.jit(lambda X: predict(params, X)), platforms=PLATFORMS)(spec)
