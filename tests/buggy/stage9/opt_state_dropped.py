"""A stage-8 habit: train_step writes the Optax update by hand and drops the new optimizer
state, which plain SGD never notices and Adam does."""
EXPECT_FAIL = ["train_step_adam"]
FOCUS = "train_step"


@nnx.jit
def train_step(model, optimizer, X, Y):
    loss, grads = nnx.value_and_grad(loss_fn)(model, X, Y)
    params = nnx.as_pure(nnx.state(model, nnx.Param))
    updates, _new_state = optimizer.tx.update(nnx.as_pure(grads), nnx.as_pure(optimizer.opt_state),
                                              params)
    nnx.update(model, optax.apply_updates(params, updates))
    optimizer.step[...] += 1
    return loss
