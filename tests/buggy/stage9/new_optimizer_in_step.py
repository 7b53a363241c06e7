"""train_step builds a new nnx.Optimizer from the given one's transformation at every call, as
if its state had to be started afresh: the optimizer passed in never moves, and Adam would
restart from zero moments at every step."""
EXPECT_FAIL = ["train_step_updates_in_place", "train_step_adam"]
FOCUS = "train_step"


@nnx.jit
def train_step(model, optimizer, X, Y):
    loss, grads = nnx.value_and_grad(loss_fn)(model, X, Y)
    nnx.Optimizer(model, optimizer.tx, wrt=nnx.Param).update(model, grads)
    return loss
