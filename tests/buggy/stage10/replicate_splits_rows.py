"""replicate shards the params like the batch, P("data"): each device holds some of their rows."""
EXPECT_FAIL = ["replicate"]
FOCUS = "replicate"


def replicate(mesh, params):
    return jax.device_put(params, NamedSharding(mesh, P("data")))
