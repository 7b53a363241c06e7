"""train_step builds a fresh jitted closure on every call, so every call traces again."""
EXPECT_FAIL = ["train_step_compiles_once", "jitted"]
FOCUS = "train_step"


def train_step(params, X, Y, alpha):
    @jax.jit
    def step(params):
        loss, grads = jax.value_and_grad(loss_fn)(params, X, Y)
        return jax.tree_util.tree_map(lambda p, g: p - alpha * g, params, grads), loss
    return step(params)
