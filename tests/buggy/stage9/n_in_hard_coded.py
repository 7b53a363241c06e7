"""A Haiku habit: hk.Linear inferred its input size, so the first layer is written for 784
inputs whatever n_in is."""
EXPECT_FAIL = ["init_param_shapes"]
FOCUS = "MLP"


class MLP(nnx.Module):
    def __init__(self, n_in=784, n_hidden=10, n_out=10, *, rngs):
        self.hidden = nnx.Linear(784, n_hidden, rngs=rngs)
        self.output = nnx.Linear(n_hidden, n_out, rngs=rngs)

    def __call__(self, x):
        return self.output(jax.nn.relu(self.hidden(x)))
