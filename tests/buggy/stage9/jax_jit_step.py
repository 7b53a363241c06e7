"""train_step compiled with jax.jit instead of nnx.jit: the updates, made to traced copies of
the model and the optimizer, are silently dropped."""
EXPECT_FAIL = ["train_step_updates_in_place"]
FOCUS = "train_step"


@jax.jit
def train_step(model, optimizer, X, Y):
    loss, grads = nnx.value_and_grad(loss_fn)(model, X, Y)
    optimizer.update(model, grads)
    return loss
