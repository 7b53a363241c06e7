"""export_predict writes the input spec for 784 features instead of the params' n_in."""
EXPECT_FAIL = ["export_predict_blob"]
FOCUS = "export_predict"


def export_predict(params):
    (batch,) = export.symbolic_shape("b")
    spec = jax.ShapeDtypeStruct((batch, 784), jnp.float32)
    exported = export.export(jax.jit(lambda X: predict(params, X)), platforms=PLATFORMS)(spec)
    return bytes(exported.serialize())
