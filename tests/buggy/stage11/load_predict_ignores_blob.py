"""load_predict ignores the blob and runs this file's predict on the params last exported:
it works in the notebook's round trip, and on nobody else's blob."""
EXPECT_FAIL = ["load_predict_grader_blob"]
FOCUS = "load_predict"

_last_params = {}


def export_predict(params):
    _last_params.update(params)
    (batch,) = export.symbolic_shape("b")
    spec = jax.ShapeDtypeStruct((batch, params["W1"].shape[1]), jnp.float32)
    exported = export.export(jax.jit(lambda X: predict(params, X)), platforms=PLATFORMS)(spec)
    return bytes(exported.serialize())


def load_predict(blob):
    return lambda X: predict(_last_params, X)
