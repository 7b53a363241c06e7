"""export_predict exports for a batch of exactly one row: the program rejects any other batch."""
EXPECT_FAIL = ["export_predict_signature"]
FOCUS = "export_predict"


def export_predict(params):
    spec = jax.ShapeDtypeStruct((1, params["W1"].shape[1]), jnp.float32)
    exported = export.export(jax.jit(lambda X: predict(params, X)), platforms=PLATFORMS)(spec)
    return bytes(exported.serialize())
