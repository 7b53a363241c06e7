"""The file switches on 64-bit JAX and exports for float64 input "for precision": the program
then rejects the float32 batches the stage promises to take."""
EXPECT_FAIL = ["export_predict_signature"]
FOCUS = "export_predict"

jax.config.update("jax_enable_x64", True)


def export_predict(params):
    (batch,) = export.symbolic_shape("b")
    spec = jax.ShapeDtypeStruct((batch, params["W1"].shape[1]), jnp.float64)
    exported = export.export(jax.jit(lambda X: predict(params, X)), platforms=PLATFORMS)(spec)
    return bytes(exported.serialize())
