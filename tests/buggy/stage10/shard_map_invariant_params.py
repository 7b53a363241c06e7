"""The shard_map step differentiates the replicated params as they come, then pmean's the
gradients: with params invariant over "data", each gradient is already the sum over devices,
so the step is n_devices times too large (and right on one device)."""
EXPECT_FAIL = ["shard_map_step_matches"]
FOCUS = "make_shard_map_step"


def make_shard_map_step(mesh):
    def local_step(params, X, Y, alpha):
        loss, grads = jax.value_and_grad(loss_fn)(params, X, Y)
        grads = jax.lax.pmean(grads, "data")
        loss = jax.lax.pmean(loss, "data")
        return jax.tree_util.tree_map(lambda p, g: p - alpha * g, params, grads), loss

    return jax.jit(jax.shard_map(local_step, mesh=mesh, in_specs=(P(), P("data"), P("data"), P()),
                                 out_specs=(P(), P())))
