"""shard_batch splits X over the devices but leaves Y a plain array on one device."""
EXPECT_FAIL = ["shard_batch"]
FOCUS = "shard_batch"


def shard_batch(mesh, X, Y):
    return jax.device_put(X, NamedSharding(mesh, P("data"))), jnp.asarray(Y)
