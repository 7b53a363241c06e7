"""train_step works on a copy of the model, "to keep the step pure": the optimizer counts the
step, the model passed in never changes."""
EXPECT_FAIL = ["train_step_updates_in_place"]
FOCUS = "train_step"


@nnx.jit
def train_step(model, optimizer, X, Y):
    model = nnx.clone(model)
    loss, grads = nnx.value_and_grad(loss_fn)(model, X, Y)
    optimizer.update(model, grads)
    return loss
