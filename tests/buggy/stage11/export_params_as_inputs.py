"""export_predict exports predict itself, so the params become inputs of the program instead
of constants inside it: whoever loads it would need the params too."""
EXPECT_FAIL = ["export_predict_signature"]
FOCUS = "export_predict"


def export_predict(params):
    (batch,) = export.symbolic_shape("b")
    spec = jax.ShapeDtypeStruct((batch, params["W1"].shape[1]), jnp.float32)
    exported = export.export(predict, platforms=PLATFORMS)(params, spec)
    return bytes(exported.serialize())
