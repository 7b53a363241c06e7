"""The shard_map step averages the gradients but returns each device's own loss (check_vma=False
lets it through): the loss reported is the first device's rows' alone."""
EXPECT_FAIL = ["shard_map_step_matches"]
FOCUS = "make_shard_map_step"


def make_shard_map_step(mesh):
    def local_step(params, X, Y, alpha):
        mine = jax.lax.pcast(params, "data", to="varying")
        loss, grads = jax.value_and_grad(loss_fn)(mine, X, Y)
        grads = jax.lax.pmean(grads, "data")
        return jax.tree_util.tree_map(lambda p, g: p - alpha * g, params, grads), loss

    return jax.jit(jax.shard_map(local_step, mesh=mesh, in_specs=(P(), P("data"), P("data"), P()),
                                 out_specs=(P(), P()), check_vma=False))
