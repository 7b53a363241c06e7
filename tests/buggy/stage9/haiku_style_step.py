"""A Haiku habit: train_step splits out the parameters, takes an SGD step on them with
tree_map and returns the new ones, which never reach the model (nor the optimizer)."""
EXPECT_FAIL = ["train_step_updates_in_place"]
FOCUS = "train_step"


@nnx.jit
def train_step(model, optimizer, X, Y):
    graphdef, params = nnx.split(model)

    def loss_of(params):
        return loss_fn(nnx.merge(graphdef, params), X, Y)

    loss, grads = jax.value_and_grad(loss_of)(params)
    new_params = jax.tree_util.tree_map(lambda p, g: p - 0.1 * g, params, grads)
    return new_params, loss
