"""replicate puts the params on the mesh's first device only."""
EXPECT_FAIL = ["replicate"]
FOCUS = "replicate"


def replicate(mesh, params):
    return jax.device_put(params, mesh.devices.flat[0])
