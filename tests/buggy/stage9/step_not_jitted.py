"""train_step has no @nnx.jit: it runs operation by operation."""
EXPECT_FAIL = ["train_step_compiled"]
FOCUS = "train_step"


def train_step(model, optimizer, X, Y):
    loss, grads = nnx.value_and_grad(loss_fn)(model, X, Y)
    optimizer.update(model, grads)
    return loss
